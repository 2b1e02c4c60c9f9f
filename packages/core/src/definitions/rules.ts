import type { EventFunction } from "./functions";

export const EVENT_SOURCE = "amelia.workflows";
export const EVENT_DETAIL_TYPE = "WorkflowEvent";

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

/** The event bus rules, shared by the stacks and the local runtime. */
export const RULES: readonly RuleDefinition[] = [
  {
    name: "broadcast-workflow-events",
    description: "Push every stored workflow event to subscribed WebSocket connections",
    pattern: { source: [EVENT_SOURCE], "detail-type": [EVENT_DETAIL_TYPE] },
    targets: ["broadcaster"],
  },
];
