import { describe, expect, it } from "vitest";
import { retryAfterMs, retryDelay } from "../../../src/resilience/backoff";

const headers = (values: Record<string, string>) => new Headers(values);

describe("retry delays", () => {
  const options = { baseDelayMs: 100, maxDelayMs: 5_000 };

  it("waits what the server asked for in retry-after, up to the maximum", () => {
    expect(retryDelay(0, 2_000, options)).toBe(2_000);
    expect(retryDelay(3, 0, options)).toBe(0);
    expect(retryDelay(0, 60_000, options)).toBe(5_000);
  });

  it("backs off exponentially with full jitter otherwise", () => {
    const at = (random: number) => (attempt: number) =>
      retryDelay(attempt, undefined, { ...options, random: () => random });
    expect([0, 1, 2, 3].map(at(1))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map(at(0.5))).toEqual([50, 100, 200, 400]);
    expect(at(0)(3)).toBe(0);
    expect(at(1)(10)).toBe(5_000);
  });

  it("reads retry-after-ms, retry-after in seconds, and retry-after as an HTTP date", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(retryAfterMs(headers({ "retry-after": "3" }))).toBe(3_000);
    const now = Date.UTC(2026, 10, 21, 12, 0, 0);
    expect(retryAfterMs(headers({ "retry-after": "Sat, 21 Nov 2026 12:00:07 GMT" }), now)).toBe(
      7_000,
    );
    expect(retryAfterMs(headers({ "retry-after": "Sat, 21 Nov 2026 11:00:00 GMT" }), now)).toBe(0);
  });

  it("ignores an absent or unreadable retry-after", () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "-5" }))).toBeUndefined();
  });
});
