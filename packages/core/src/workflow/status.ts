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
  "verify",
  "reviewer",
  "review_approval",
  "done",
] as const;
export type Stage = (typeof STAGES)[number];

/** Where a person decides: the plan, the work at the review cap, more budget for a stage. */
export const GATES = ["plan", "review", "budget"] as const;
export type Gate = (typeof GATES)[number];

/**
 * The stage a workflow is in while it waits at a gate; at the budget gate it stays in the stage
 * that stopped, which continues from there.
 */
export const GATE_STAGE: Partial<Record<Gate, Stage>> = {
  plan: "plan_approval",
  review: "review_approval",
};

export const TERMINAL_STATUSES = ["completed", "failed", "cancelled"] as const;

export function isActive(status: WorkflowStatus): status is ActiveStatus {
  return (ACTIVE_STATUSES as readonly string[]).includes(status);
}

export function isTerminal(status: WorkflowStatus): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}
