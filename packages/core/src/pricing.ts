import * as z from "zod";
import { parseBedrockModel } from "./agents/bedrock/modelIds";
import type { TokenCounts } from "./events/types";

/** US dollars per million tokens, as Anthropic's pricing page lists them. */
const ratesSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  /** Writing the prompt cache (5-minute breakpoints, which the agents use). */
  cacheWrite: z.number().nonnegative(),
  /** Reading the prompt cache ("cache hits and refreshes"). */
  cacheRead: z.number().nonnegative(),
});

const modelPriceSchema = ratesSchema.extend({
  /** Rates for every token of a request whose prompt (input + cache) is longer than the threshold. */
  longPrompt: ratesSchema.extend({ thresholdTokens: z.number().int().positive() }).optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

export const priceTableSchema = z.record(z.string().min(1), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

const sonnet5 = { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 };
const opus45 = { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 };
const sonnet4 = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };

/**
 * Prices of the current models (platform.claude.com/docs/en/about-claude/pricing, November
 * 2026; see docs/agents.md). `AMELIA_MODEL_PRICES` adds models or replaces these entries.
 */
export const DEFAULT_PRICES: PriceTable = {
  "claude-sonnet-5-5": sonnet5,
  "claude-opus-5-5": { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  "claude-haiku-5-5": {
    input: 0.1,
    output: 0.5,
    cacheWrite: 0.125,
    cacheRead: 0.01,
    longPrompt: {
      thresholdTokens: 100_000,
      input: 0.5,
      output: 2.5,
      cacheWrite: 0.625,
      cacheRead: 0.05,
    },
  },
  "claude-fable-5-1": { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 },
  "claude-sonnet-5": sonnet5,
  "claude-opus-5": opus45,
  "claude-opus-4-8": opus45,
  "claude-opus-4-7": opus45,
  "claude-opus-4-6": opus45,
  "claude-opus-4-5": opus45,
  "claude-sonnet-4-6": sonnet4,
  "claude-sonnet-4-5": sonnet4,
  "claude-haiku-4-5": { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
};

/** The default table with the configured entries laid over it (a JSON object of model → rates). */
export function priceTable(overrides: PriceTable = {}): PriceTable {
  return { ...DEFAULT_PRICES, ...overrides };
}

/**
 * A model's price; a dated id (`claude-sonnet-4-5-20250929`) falls back to its alias. A Bedrock
 * id (`us.anthropic.claude-sonnet-4-5-20250929-v1:0`) without an entry of its own has the price
 * of the model it names: Bedrock's on-demand prices for Claude are Anthropic's list prices.
 */
export function priceOf(table: PriceTable, model: string): ModelPrice | undefined {
  const listed = (name: string) => table[name] ?? table[name.replace(/-\d{8}$/, "")];
  const bedrock = parseBedrockModel(model);
  return listed(model) ?? (bedrock && listed(bedrock.anthropicModel));
}

/** What one call cost, in dollars, rounded to a billionth so sums stay exact enough to compare. */
export function costOf(price: ModelPrice, tokens: TokenCounts): number {
  const prompt = tokens.inputTokens + tokens.cacheReadTokens + tokens.cacheWriteTokens;
  const rates =
    price.longPrompt && prompt > price.longPrompt.thresholdTokens ? price.longPrompt : price;
  const micro =
    tokens.inputTokens * rates.input +
    tokens.outputTokens * rates.output +
    tokens.cacheWriteTokens * rates.cacheWrite +
    tokens.cacheReadTokens * rates.cacheRead;
  return roundUsd(micro / 1_000_000);
}

/**
 * The most a call can cost: its input at the dearest input rate (cache writes), all of it, and
 * every output token it may produce.
 */
export function worstCaseUsd(
  price: ModelPrice,
  inputTokens: number,
  maxOutputTokens: number,
): number {
  const rates =
    price.longPrompt && inputTokens > price.longPrompt.thresholdTokens ? price.longPrompt : price;
  const inputRate = Math.max(rates.input, rates.cacheWrite);
  return (inputTokens * inputRate + maxOutputTokens * rates.output) / 1_000_000;
}

export function roundUsd(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
