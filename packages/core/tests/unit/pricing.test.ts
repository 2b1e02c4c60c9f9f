import { describe, expect, it } from "vitest";
import { readAgentSettings } from "../../src/agents/agentSettings";
import { costOf, DEFAULT_PRICES, priceOf, priceTable } from "../../src/pricing";

const tokens = (input: number, output: number, cacheRead: number, cacheWrite: number) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: cacheRead,
  cacheWriteTokens: cacheWrite,
});

describe("the price table", () => {
  it("prices each kind of token at its own rate", () => {
    const sonnet = priceOf(DEFAULT_PRICES, "claude-sonnet-5-5")!;
    // $2 input, $10 output, $0.20 cache read, $2.50 cache write per million tokens.
    expect(costOf(sonnet, tokens(1_000_000, 0, 0, 0))).toBe(2);
    expect(costOf(sonnet, tokens(0, 1_000_000, 0, 0))).toBe(10);
    expect(costOf(sonnet, tokens(0, 0, 1_000_000, 0))).toBe(0.2);
    expect(costOf(sonnet, tokens(0, 0, 0, 1_000_000))).toBe(2.5);
    // 1234 × 2 + 567 × 10 + 8901 × 0.2 + 2345 × 2.5 = 15,780.7 micro-dollars.
    expect(costOf(sonnet, tokens(1234, 567, 8901, 2345))).toBe(0.0157807);
  });

  it("uses the long-prompt rates for every token of a request over the threshold", () => {
    const haiku = priceOf(DEFAULT_PRICES, "claude-haiku-5-5")!;
    expect(costOf(haiku, tokens(100_000, 1_000_000, 0, 0))).toBe(0.51);
    // 60k input + 50k cache read is a 110k prompt: the output is priced higher too.
    // 60k × $0.50 + 1M × $2.50 + 50k × $0.05 per million.
    expect(costOf(haiku, tokens(60_000, 1_000_000, 50_000, 0))).toBe(2.5325);
  });

  it("finds a dated model id under its alias, and knows no unlisted model", () => {
    expect(priceOf(DEFAULT_PRICES, "claude-sonnet-4-5-20250929")).toBe(
      DEFAULT_PRICES["claude-sonnet-4-5"],
    );
    expect(priceOf(DEFAULT_PRICES, "claude-unknown-9")).toBeUndefined();
  });

  it("prices a Bedrock model id as the model it names, profile or not", () => {
    // Bedrock's on-demand prices for Claude are Anthropic's list prices for the same model.
    expect(priceOf(DEFAULT_PRICES, "global.anthropic.claude-sonnet-5-5")).toBe(
      DEFAULT_PRICES["claude-sonnet-5-5"],
    );
    expect(priceOf(DEFAULT_PRICES, "us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe(
      DEFAULT_PRICES["claude-sonnet-4-5"],
    );
    expect(priceOf(DEFAULT_PRICES, "anthropic.claude-haiku-4-5-20251001-v1:0")).toBe(
      DEFAULT_PRICES["claude-haiku-4-5"],
    );
    const opus = priceOf(DEFAULT_PRICES, "eu.anthropic.claude-opus-4-5-20251101-v1:0")!;
    // 1234 × 5 + 567 × 25 + 8901 × 0.5 + 2345 × 6.25 = 39,451.75 micro-dollars.
    expect(costOf(opus, tokens(1234, 567, 8901, 2345))).toBe(0.03945175);
    expect(priceOf(DEFAULT_PRICES, "us.anthropic.claude-3-5-sonnet-20240620-v1:0")).toBeUndefined();
  });

  it("lets an AMELIA_MODEL_PRICES entry for the Bedrock id itself come first", () => {
    const regional = { input: 3.3, output: 16.5, cacheWrite: 4.125, cacheRead: 0.33 };
    const { prices } = readAgentSettings({
      AMELIA_MODEL_PRICES: JSON.stringify({
        "eu.anthropic.claude-sonnet-4-5-20250929-v1:0": regional,
      }),
    });
    expect(priceOf(prices, "eu.anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual(regional);
    expect(priceOf(prices, "us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual(
      DEFAULT_PRICES["claude-sonnet-4-5"],
    );
  });

  it("takes additions and replacements from AMELIA_MODEL_PRICES", () => {
    const settings = readAgentSettings({
      AMELIA_MODEL_PRICES: JSON.stringify({
        "claude-new-1": { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 },
        "claude-sonnet-5-5": { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
      }),
    });
    expect(settings.prices["claude-new-1"]?.output).toBe(2);
    expect(settings.prices["claude-sonnet-5-5"]?.input).toBe(3);
    expect(settings.prices["claude-opus-5-5"]).toEqual(DEFAULT_PRICES["claude-opus-5-5"]);
    expect(priceTable()).toEqual(DEFAULT_PRICES);
  });

  it("refuses a price table that is not JSON, or not rates, naming the setting", () => {
    expect(() => readAgentSettings({ AMELIA_MODEL_PRICES: "{nope" })).toThrow(
      /Invalid configuration: AMELIA_MODEL_PRICES: is not valid JSON/,
    );
    expect(() =>
      readAgentSettings({ AMELIA_MODEL_PRICES: JSON.stringify({ m: { input: -1, output: 1 } }) }),
    ).toThrow(/AMELIA_MODEL_PRICES\.m\.input/);
  });
});
