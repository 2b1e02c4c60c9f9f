export interface BackoffOptions {
  baseDelayMs: number;
  /** No wait is longer, not even one the server asked for. */
  maxDelayMs: number;
  random?: () => number;
}

/**
 * How long to wait before retry number `attempt` (0 for the first): what the server asked for in
 * `retry-after` when it said, else exponential backoff with full jitter (a random wait up to
 * base × 2^attempt), so clients that failed together do not retry together.
 */
export function retryDelay(
  attempt: number,
  serverAskedMs: number | undefined,
  options: BackoffOptions,
): number {
  if (serverAskedMs !== undefined) return Math.min(serverAskedMs, options.maxDelayMs);
  const ceiling = Math.min(options.baseDelayMs * 2 ** attempt, options.maxDelayMs);
  return Math.round((options.random ?? Math.random)() * ceiling);
}

/**
 * The wait a 429/503/529 response asks for: `retry-after-ms`, or `retry-after` in seconds or as
 * an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(
  headers: { get(name: string): string | null } | undefined,
  now = Date.now(),
): number | undefined {
  const milliseconds = Number(headers?.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
