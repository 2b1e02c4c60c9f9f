import { WORKFLOW_HALTED_ERROR } from "../definitions/stateMachine";
import type { Stage } from "./status";

/** How the halt task fails a failed workflow's execution (the state machine knows its name). */
export class WorkflowHaltedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = WORKFLOW_HALTED_ERROR;
  }
}

/** The error Step Functions hands to a Catch: `Cause` is a Lambda error as JSON, or plain text. */
export interface StepFunctionsError {
  Error?: string;
  Cause?: string;
}

/** Turns a Catch's error into a sentence a person understands. */
export function failureReason(stage: Stage, error: StepFunctionsError): string {
  if (error.Error === "States.Timeout") {
    return stage === "plan_approval" || stage === "review_approval"
      ? "Nobody decided at the gate in time"
      : `The ${stage} stage timed out`;
  }
  let message = error.Cause ?? error.Error ?? "unknown error";
  try {
    const cause = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof cause.errorMessage === "string") message = cause.errorMessage;
  } catch {
    // A plain-text cause is already the message.
  }
  return `The ${stage} stage failed: ${message}`;
}
