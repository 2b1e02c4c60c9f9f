import { InvalidStateError } from "../errors";

export const WORKFLOW_STATUSES = [
  "pending",
  "in_progress",
  "blocked",
  "completed",
  "failed",
  "cancelled",
] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export const ACTIVE_STATUSES = ["pending", "in_progress", "blocked"] as const;
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];

export const STAGES = [
  "architect",
  "plan_approval",
  "developer",
  "reviewer",
  "review_approval",
  "done",
] as const;
export type Stage = (typeof STAGES)[number];

export const GATES = ["plan", "review"] as const;
export type Gate = (typeof GATES)[number];

/** The stage a workflow is in while it waits at a gate. */
export const GATE_STAGE: Record<Gate, Stage> = { plan: "plan_approval", review: "review_approval" };

export const TERMINAL_STATUSES = ["completed", "failed", "cancelled"] as const;

const TRANSITIONS: Record<WorkflowStatus, readonly WorkflowStatus[]> = {
  pending: ["in_progress", "failed", "cancelled"],
  in_progress: ["blocked", "completed", "failed", "cancelled"],
  blocked: ["in_progress", "failed", "cancelled"],
  completed: [],
  // A failed workflow ends its run, but a person may resume it from the stage that failed.
  failed: ["in_progress"],
  cancelled: [],
};

export function isActive(status: WorkflowStatus): status is ActiveStatus {
  return (ACTIVE_STATUSES as readonly string[]).includes(status);
}

export function isTerminal(status: WorkflowStatus): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function canTransition(from: WorkflowStatus, to: WorkflowStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: WorkflowStatus, to: WorkflowStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidStateError(`A ${from} workflow cannot become ${to}`, { from, to });
  }
}
