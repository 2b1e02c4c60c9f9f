import { randomUUID } from "node:crypto";
import type { EventPage, NewEvent, WorkflowEvent } from "../../src/events/types";
import { assertValidEvent } from "../../src/events/InvalidEventError";
import { SequenceTakenError, type EventLog } from "../../src/workflow/dependencies";
import { Faults } from "./Faults";

/** The event log in memory: validates like the DynamoDB log, gapless sequences per workflow. */
export class MemoryEventLog implements EventLog {
  private readonly logs = new Map<string, WorkflowEvent[]>();
  readonly faults = new Faults<"append">();

  constructor(private readonly clock: () => number = Date.now) {}

  async append(workflowId: string, event: NewEvent, at?: number): Promise<WorkflowEvent> {
    assertValidEvent(workflowId, event);
    this.faults.check("append");
    const log = this.logOf(workflowId);
    if (at !== undefined && at !== log.length + 1) throw new SequenceTakenError(workflowId, at);
    const stored = {
      id: randomUUID(),
      workflowId,
      sequence: log.length + 1,
      timestamp: new Date(this.clock()).toISOString(),
      ...event,
    } as WorkflowEvent;
    log.push(stored);
    return structuredClone(stored);
  }

  async list(workflowId: string, since = 0, limit = 500): Promise<EventPage> {
    const after = this.logOf(workflowId).filter((event) => event.sequence > since);
    const events = structuredClone(after.slice(0, limit));
    const last = events.at(-1);
    return after.length > limit && last ? { events, nextSince: last.sequence } : { events };
  }

  async listAll(workflowId: string, since = 0): Promise<WorkflowEvent[]> {
    return structuredClone(this.logOf(workflowId).filter((event) => event.sequence > since));
  }

  /** The stored events of one workflow, for assertions. */
  eventsOf(workflowId: string): WorkflowEvent[] {
    return structuredClone(this.logOf(workflowId));
  }

  /** The types of one workflow's events, in order. */
  typesOf(workflowId: string): string[] {
    return this.logOf(workflowId).map((event) => event.type);
  }

  private logOf(workflowId: string): WorkflowEvent[] {
    let log = this.logs.get(workflowId);
    if (!log) this.logs.set(workflowId, (log = []));
    return log;
  }
}
