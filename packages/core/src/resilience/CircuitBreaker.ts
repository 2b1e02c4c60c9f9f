export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses calls before it lets one probe through. */
  cooldownMs: number;
  now?: () => number;
}

/** A call refused without reaching the provider, because its circuit is open. */
export class CircuitOpenError extends Error {
  constructor(
    readonly provider: string,
    readonly retryInMs: number,
    readonly lastFailure: string | undefined,
  ) {
    super(
      `${provider} looks unavailable: its circuit breaker is open after repeated failures` +
        (lastFailure ? ` (last: ${lastFailure})` : "") +
        (retryInMs > 0
          ? `, so calls fail fast for ${Math.ceil(retryInMs / 1000)} s more`
          : ", and one probe call is testing whether it is back"),
    );
    this.name = "CircuitOpenError";
  }
}

/**
 * One provider's circuit breaker (seed 001 §5.4.3): closed, it counts consecutive failures; at
 * the threshold it opens and refuses every call for the cooldown, so an outage costs a few
 * requests instead of the quota; then one probe call is let through (half-open), which closes it
 * again or reopens it. A process (a Lambda container) keeps one breaker per provider.
 */
export class CircuitBreaker {
  private state: CircuitState = "closed";
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private lastFailure: string | undefined;
  private readonly now: () => number;

  constructor(
    readonly provider: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Throws a CircuitOpenError unless a call may go through now. */
  beforeCall(): void {
    if (this.state === "open") {
      const waited = this.now() - this.openedAt;
      if (waited < this.options.cooldownMs) {
        throw new CircuitOpenError(
          this.provider,
          this.options.cooldownMs - waited,
          this.lastFailure,
        );
      }
      this.state = "half_open";
    }
    if (this.state === "half_open") {
      if (this.probing) throw new CircuitOpenError(this.provider, 0, this.lastFailure);
      this.probing = true;
    }
  }

  /** The provider answered (also with a refusal of the request: it is up). */
  recordSuccess(): void {
    this.state = "closed";
    this.failures = 0;
    this.probing = false;
  }

  recordFailure(description: string): void {
    this.lastFailure = description;
    this.failures += 1;
    if (this.state === "half_open" || this.failures >= this.options.failureThreshold) {
      this.state = "open";
      this.openedAt = this.now();
    }
    this.probing = false;
  }

  get current(): CircuitState {
    return this.state;
  }
}
