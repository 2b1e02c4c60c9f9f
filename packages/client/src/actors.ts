import type { Actor, WorkflowEvent } from "./types";

/**
 * Who took the decision an event records (an approval, a rejection, a cancellation, a raised
 * budget); undefined for other events and for decisions logged before the log said who.
 */
export function decidedBy(event: WorkflowEvent): Actor | undefined {
  switch (event.type) {
    case "approval_granted":
    case "approval_rejected":
    case "workflow_cancelled":
    case "budget_raised":
      return event.data.by;
    default:
      return undefined;
  }
}
