import { MAX_EVENT_BYTES } from "../definitions/limits";
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

/**
 * Throws an InvalidEventError unless the event matches the contract's shapes for its type and
 * is at most MAX_EVENT_BYTES of JSON; returns its size as JSON.
 */
export function assertValidEvent(workflowId: string, event: NewEvent): number {
  const parsed = newEventSchema.safeParse(event);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new InvalidEventError(workflowId, issues);
  }
  const bytes = Buffer.byteLength(JSON.stringify(event));
  if (bytes > MAX_EVENT_BYTES) {
    throw new InvalidEventError(workflowId, [
      `${event.type}: is ${bytes} bytes of JSON, more than the log's ${MAX_EVENT_BYTES}`,
    ]);
  }
  return bytes;
}
