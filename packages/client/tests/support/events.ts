import type { Agent, EventType, Level, WorkflowEvent } from "../../src/types";

/** An event as the API sends it; by default a developer's info message. */
export function makeEvent(
  sequence: number,
  fields: {
    workflowId?: string;
    type?: EventType;
    agent?: Agent;
    level?: Level;
    message?: string;
    data?: unknown;
  } = {},
): WorkflowEvent {
  return {
    id: `event-${sequence}`,
    workflowId: fields.workflowId ?? "wf-1",
    sequence,
    timestamp: new Date(Date.UTC(2026, 0, 1, 12, 0, sequence)).toISOString(),
    type: fields.type ?? "agent_message",
    agent: fields.agent ?? "developer",
    level: fields.level ?? "info",
    message: fields.message ?? `event ${sequence}`,
    data: fields.data ?? {},
  } as WorkflowEvent;
}
