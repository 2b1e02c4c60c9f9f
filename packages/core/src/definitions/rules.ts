import type { EventType } from "../events/types";
import type { EventFunction } from "./functions";

export const EVENT_SOURCE = "amelia.workflows";
export const EVENT_DETAIL_TYPE = "WorkflowEvent";
/** A new subscriber asked for the events it missed; the broadcaster sends them. */
export const BACKFILL_SOURCE = "amelia.realtime";
export const BACKFILL_DETAIL_TYPE = "BackfillRequested";

/** An EventBridge event pattern: field → allowed values, or a nested pattern. */
export interface EventPattern {
  [field: string]: string[] | EventPattern;
}

export interface RuleDefinition {
  name: string;
  description: string;
  pattern: EventPattern;
  targets: EventFunction[];
}

/**
 * The events that change what a workflow's status comment on GitHub says. The bus carries each
 * event's type and its workflow's starter at the top of its detail, so a rule can select them
 * also when the event travels as a reference.
 */
export const STATUS_COMMENT_EVENTS: readonly EventType[] = [
  "workflow_started",
  "stage_started",
  "approval_required",
  "approval_granted",
  "approval_rejected",
  "workflow_completed",
  "workflow_failed",
  "workflow_cancelled",
  "workflow_resumed",
];

/** The event bus rules, shared by the stacks and the local runtime. */
export const RULES: readonly RuleDefinition[] = [
  {
    name: "broadcast-workflow-events",
    description: "Push every stored workflow event to subscribed WebSocket connections",
    pattern: { source: [EVENT_SOURCE], "detail-type": [EVENT_DETAIL_TYPE] },
    targets: ["broadcaster"],
  },
  {
    name: "backfill-subscriptions",
    description: "Send a new subscriber the stored events after its `since`",
    pattern: { source: [BACKFILL_SOURCE], "detail-type": [BACKFILL_DETAIL_TYPE] },
    targets: ["broadcaster"],
  },
  {
    name: "report-to-github",
    description: "Keep the status comment of a workflow started from GitHub up to date",
    pattern: {
      source: [EVENT_SOURCE],
      "detail-type": [EVENT_DETAIL_TYPE],
      // Only a workflow started from GitHub has a status comment.
      detail: { type: [...STATUS_COMMENT_EVENTS], startedBy: ["github"] },
    },
    targets: ["githubStatus"],
  },
];
