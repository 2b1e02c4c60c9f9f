import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError } from "../../../src/resilience/CircuitBreaker";

function breaker() {
  const clock = { now: 1_000 };
  const circuit = new CircuitBreaker("The API", {
    failureThreshold: 3,
    cooldownMs: 10_000,
    now: () => clock.now,
  });
  return { circuit, clock };
}

function fail(circuit: CircuitBreaker, times: number) {
  for (let i = 0; i < times; i++) {
    circuit.beforeCall();
    circuit.recordFailure("529 overloaded_error: Overloaded");
  }
}

describe("the circuit breaker", () => {
  it("opens after the threshold of consecutive failures and then refuses calls", () => {
    const { circuit } = breaker();
    fail(circuit, 2);
    expect(circuit.current).toBe("closed");
    fail(circuit, 1);
    expect(circuit.current).toBe("open");
    expect(() => circuit.beforeCall()).toThrow(CircuitOpenError);
    expect(() => circuit.beforeCall()).toThrow(
      "The API looks unavailable: its circuit breaker is open after repeated failures " +
        "(last: 529 overloaded_error: Overloaded), so calls fail fast for 10 s more",
    );
  });

  it("counts consecutive failures only: a success starts the count again", () => {
    const { circuit } = breaker();
    fail(circuit, 2);
    circuit.beforeCall();
    circuit.recordSuccess();
    fail(circuit, 2);
    expect(circuit.current).toBe("closed");
  });

  it("lets one probe through after the cooldown: success closes it, failure reopens it", () => {
    const { circuit, clock } = breaker();
    fail(circuit, 3);
    clock.now += 10_000;
    circuit.beforeCall();
    expect(circuit.current).toBe("half_open");
    // A second caller while the probe is out still fails fast.
    expect(() => circuit.beforeCall()).toThrow(/one probe call is testing whether it is back/);
    circuit.recordFailure("529 overloaded_error: Overloaded");
    expect(circuit.current).toBe("open");
    expect(() => circuit.beforeCall()).toThrow(CircuitOpenError);

    clock.now += 10_000;
    circuit.beforeCall();
    circuit.recordSuccess();
    expect(circuit.current).toBe("closed");
    circuit.beforeCall();
  });
});
