import type { EventType, WorkflowEvent } from "../events/types";
import { canTransition, GATE_STAGE, isTerminal, type WorkflowStatus } from "./status";
import { emptyUsage, type Workflow } from "./Workflow";

/** The status an event moves a workflow to, for the events that move it at all. */
const STATUS_AFTER: Partial<Record<EventType, WorkflowStatus>> = {
  workflow_started: "in_progress",
  approval_required: "blocked",
  approval_granted: "in_progress",
  approval_rejected: "in_progress",
  workflow_completed: "completed",
  workflow_failed: "failed",
  workflow_cancelled: "cancelled",
};

export function statusAfter(type: EventType): WorkflowStatus | undefined {
  return STATUS_AFTER[type];
}

/**
 * Folds one event into the workflow. Pure: the same log always yields the same workflow, so the
 * stored projection can be rebuilt from the log at any time. A status change the rules refuse
 * (a late event after a terminal one) is recorded in the log but leaves the status alone.
 */
export function applyEvent(workflow: Workflow | undefined, event: WorkflowEvent): Workflow {
  if (!workflow) {
    if (event.type !== "workflow_created") {
      throw new Error(`The log of ${event.workflowId} does not start with workflow_created`);
    }
    const { issueId, title, description, repository, branch, model } = event.data;
    return {
      id: event.workflowId,
      issueId,
      ...(title !== undefined && { title }),
      ...(description !== undefined && { description }),
      ...(repository !== undefined && { repository }),
      branch,
      model,
      status: "pending",
      stage: "architect",
      iteration: { plan: 0, review: 0 },
      usage: emptyUsage(),
      lastSequence: event.sequence,
      createdAt: event.timestamp,
      updatedAt: event.timestamp,
    };
  }

  const next: Workflow = { ...workflow, lastSequence: event.sequence, updatedAt: event.timestamp };
  const target = STATUS_AFTER[event.type];
  if (target && canTransition(workflow.status, target)) {
    next.status = target;
    if (isTerminal(target)) next.completedAt = event.timestamp;
    if (target !== "blocked") delete next.gate;
  } else if (target || isTerminal(workflow.status)) {
    return next;
  }

  switch (event.type) {
    case "stage_started":
      next.stage = event.data.stage;
      if (event.data.stage === "architect" && event.data.round) {
        next.iteration = { ...next.iteration, plan: event.data.round };
      }
      break;
    case "plan_created":
      next.plan = event.data.plan;
      break;
    case "approval_required":
      next.gate = event.data.gate;
      next.stage = GATE_STAGE[event.data.gate];
      if (event.data.plan !== undefined) next.plan = event.data.plan;
      if (event.data.review !== undefined) next.review = event.data.review;
      break;
    case "review_completed": {
      const { approved, severity, comments, round } = event.data;
      next.review = { approved, severity, comments };
      next.iteration = { ...next.iteration, review: round };
      break;
    }
    case "token_usage": {
      const { tokens, costUsd } = event.data;
      next.usage = {
        inputTokens: next.usage.inputTokens + tokens.inputTokens,
        outputTokens: next.usage.outputTokens + tokens.outputTokens,
        cacheReadTokens: next.usage.cacheReadTokens + tokens.cacheReadTokens,
        cacheWriteTokens: next.usage.cacheWriteTokens + tokens.cacheWriteTokens,
        costUsd: roundCost(next.usage.costUsd + costUsd),
      };
      break;
    }
    case "workflow_completed":
      next.stage = "done";
      break;
    case "workflow_failed":
      next.failureReason = event.data.reason;
      break;
  }
  return next;
}

export function replay(events: readonly WorkflowEvent[]): Workflow | undefined {
  return events.reduce<Workflow | undefined>(applyEvent, undefined);
}

function roundCost(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
