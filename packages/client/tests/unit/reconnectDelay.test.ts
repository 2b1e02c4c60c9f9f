import { describe, expect, it } from "vitest";
import { reconnectDelay } from "../../src/reconnectDelay";

describe("reconnectDelay", () => {
  const backoff = (random: number) => ({
    initialDelayMs: 250,
    maxDelayMs: 5_000,
    random: () => random,
  });

  it("doubles from the first delay up to the ceiling", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((attempt) => reconnectDelay(attempt, backoff(0.5)))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it("spreads ±25% around it, in whole milliseconds, never at once", () => {
    expect(reconnectDelay(0, backoff(0))).toBe(188);
    expect(reconnectDelay(0, backoff(0.999))).toBe(312);
    expect(reconnectDelay(6, backoff(0))).toBe(3_750);
    expect(reconnectDelay(6, backoff(0.999))).toBe(6_248);
  });
});
