import { InvalidStateError } from "../errors";
import type { EventType, WorkflowEvent } from "../events/types";
import { roundUsd } from "../pricing";
import { ACTIVE_STATUSES, GATE_STAGE, isTerminal, type WorkflowStatus } from "./status";
import { emptyUsage, type Workflow } from "./Workflow";

export interface StatusChange {
  from: readonly WorkflowStatus[];
  to: WorkflowStatus;
}

/**
 * The contract's status rules, the one table of them: the events that move a workflow's status,
 * from where to where. Recording refuses an event whose change does not start where the
 * workflow is (422); the projection applies the ones that do.
 */
const STATUS_CHANGES: Partial<Record<EventType, StatusChange>> = {
  workflow_started: { from: ["pending"], to: "in_progress" },
  approval_required: { from: ["in_progress"], to: "blocked" },
  approval_granted: { from: ["blocked"], to: "in_progress" },
  approval_rejected: { from: ["blocked"], to: "in_progress" },
  workflow_completed: { from: ["in_progress"], to: "completed" },
  workflow_failed: { from: ACTIVE_STATUSES, to: "failed" },
  workflow_cancelled: { from: ACTIVE_STATUSES, to: "cancelled" },
  workflow_resumed: { from: ["failed"], to: "in_progress" },
};

export function statusChange(type: EventType): StatusChange | undefined {
  return STATUS_CHANGES[type];
}

/** Events a workflow takes after it ended: a resume, and the revisions of its pull request. */
const AFTER_THE_END = new Set<EventType>(["workflow_resumed", "revision_created"]);

/**
 * Throws an InvalidStateError unless the workflow, as it stands, may take an event of this
 * type: a terminal workflow takes none (but a resume and a revision), and a status change must
 * start where the workflow is.
 */
export function assertAccepts(workflow: Workflow, type: EventType): void {
  const { id, status } = workflow;
  if (isTerminal(status) && !AFTER_THE_END.has(type)) {
    throw new InvalidStateError(`Workflow ${id} is ${status}`, { status });
  }
  const change = statusChange(type);
  if (change && !change.from.includes(status)) {
    throw new InvalidStateError(`A ${status} workflow cannot become ${change.to}`, {
      from: status,
      to: change.to,
    });
  }
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
    const { kind, by, revisionOf, pullRequestUrl, plan, request, budgetUsd } = event.data;
    return {
      id: event.workflowId,
      kind: kind ?? "issue",
      issueId,
      ...(title !== undefined && { title }),
      ...(description !== undefined && { description }),
      ...(repository !== undefined && { repository }),
      branch,
      model,
      ...(by !== undefined && { startedBy: by }),
      ...(revisionOf !== undefined && { revisionOf }),
      ...(pullRequestUrl !== undefined && { pullRequestUrl }),
      ...(plan !== undefined && { plan }),
      ...(budgetUsd !== undefined && { budgetUsd }),
      status: "pending",
      // A revision starts with the developer, unless it asked for a new plan.
      stage: kind === "revision" && !request?.replan ? "developer" : "architect",
      iteration: { plan: 0, review: 0 },
      usage: emptyUsage(),
      lastSequence: event.sequence,
      createdAt: event.timestamp,
      updatedAt: event.timestamp,
    };
  }

  const next: Workflow = { ...workflow, lastSequence: event.sequence, updatedAt: event.timestamp };
  const change = statusChange(event.type);
  if (change && change.from.includes(workflow.status)) {
    next.status = change.to;
    if (isTerminal(change.to)) next.completedAt = event.timestamp;
    if (change.to !== "blocked") delete next.gate;
  } else if (change || (isTerminal(workflow.status) && event.type !== "revision_created")) {
    return next;
  }

  switch (event.type) {
    case "stage_started":
      next.stage = event.data.stage;
      if (event.data.stage === "architect" && event.data.round) {
        next.iteration = { ...next.iteration, plan: event.data.round };
      }
      if (event.data.stage === "developer" && event.data.round) {
        next.iteration = { ...next.iteration, developer: event.data.round };
      }
      break;
    case "checks_started":
      next.stage = "verify";
      break;
    case "checks_completed":
      next.checks = event.data;
      break;
    case "plan_created":
      next.plan = event.data.plan;
      break;
    case "approval_required":
      next.gate = event.data.gate;
      next.stage = GATE_STAGE[event.data.gate] ?? next.stage;
      if (event.data.plan !== undefined) next.plan = event.data.plan;
      if (event.data.review !== undefined) next.review = event.data.review;
      break;
    case "budget_raised":
      next.budgetUsd = event.data.budgetUsd;
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
        costUsd: roundUsd(next.usage.costUsd + costUsd),
      };
      break;
    }
    case "workflow_completed":
      next.stage = "done";
      if (event.data.pullRequestUrl !== undefined) next.pullRequestUrl = event.data.pullRequestUrl;
      break;
    case "workflow_failed":
      next.failureReason = event.data.reason;
      break;
    case "revision_created":
      next.revisions = [...(next.revisions ?? []), event.data.revisionId];
      break;
    case "workflow_resumed":
      delete next.failureReason;
      delete next.completedAt;
      break;
  }
  return next;
}

export function replay(events: readonly WorkflowEvent[]): Workflow | undefined {
  return events.reduce<Workflow | undefined>(applyEvent, undefined);
}
