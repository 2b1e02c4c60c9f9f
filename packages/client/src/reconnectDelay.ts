import { retryDelay } from "@amelia/core/resilience/backoff";

export interface ReconnectBackoff {
  /** The first delay's ceiling; it doubles per failed attempt up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** 0..1: spreads the reconnects of many clients (jitter of ±25% around the ceiling). */
  random: () => number;
}

/**
 * How long to wait before reconnect attempt `attempt` (0 for the first): core's exponential
 * ceiling, spread ±25% around it. Unlike a request retry (full jitter), a reconnect never comes
 * at once: a restarting server is not met by every client in the same instant, and the person
 * sees that the connection is being restored.
 */
export function reconnectDelay(attempt: number, backoff: ReconnectBackoff): number {
  const ceiling = retryDelay(attempt, undefined, {
    baseDelayMs: backoff.initialDelayMs,
    maxDelayMs: backoff.maxDelayMs,
    random: () => 1,
  });
  return Math.round(ceiling * (0.75 + backoff.random() * 0.5));
}
