import { PERMANENT_AGENT_ERROR } from "../definitions/stateMachine";

/**
 * A stage failure that trying again cannot fix: a request the API refuses, an answer that does not
 * fit its schema after a correction, a turn limit. The state machine does not retry it (it knows
 * it by name), and the workflow fails with this message as the reason.
 */
export class PermanentAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = PERMANENT_AGENT_ERROR;
  }
}

/** The model API stayed unavailable through every retry (the state machine may try again). */
export class ModelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelUnavailableError";
  }
}
