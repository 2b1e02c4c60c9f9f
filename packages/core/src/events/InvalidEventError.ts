import { newEventSchema, type NewEvent } from "./types";

/** An event the log refuses: its shape does not match the contract's for its type. */
export class InvalidEventError extends Error {
  constructor(
    readonly workflowId: string,
    readonly issues: string[],
  ) {
    super(`Refused an invalid event for ${workflowId}: ${issues.join("; ")}`);
    this.name = "InvalidEventError";
  }
}

/** Throws an InvalidEventError unless the event matches the contract's shapes for its type. */
export function assertValidEvent(workflowId: string, event: NewEvent): void {
  const parsed = newEventSchema.safeParse(event);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new InvalidEventError(workflowId, issues);
  }
}
