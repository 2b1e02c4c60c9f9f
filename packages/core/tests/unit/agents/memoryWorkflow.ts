import type { Conversations, StageContext } from "../../../src/agents/stages";
import {
  newEventSchema,
  type EventType,
  type NewEvent,
  type WorkflowEvent,
} from "../../../src/events/types";
import { applyEvent } from "../../../src/workflow/projection";
import type { Workflow } from "../../../src/workflow/Workflow";
import { branchNameFor } from "../../../src/workflow/branchName";

export interface WorkflowSeed {
  issueId: string;
  title?: string;
  description?: string;
  repository?: string;
}

/**
 * A workflow and its log in memory: validates every event against the contract's data shapes
 * and projects it, the way the real stores do.
 */
export class MemoryWorkflow {
  readonly events: WorkflowEvent[] = [];
  private current: Workflow | undefined;

  constructor(
    private readonly id: string,
    seed: WorkflowSeed,
  ) {
    this.append({
      type: "workflow_created",
      agent: "system",
      level: "info",
      message: "Workflow created",
      data: { ...seed, branch: branchNameFor(seed.issueId), model: "amelia-demo" },
    });
    this.append({
      type: "workflow_started",
      agent: "system",
      level: "info",
      message: "Workflow started",
      data: { executionArn: `local:${id}` },
    });
  }

  get workflow(): Workflow {
    if (!this.current) throw new Error("The log is empty");
    return this.current;
  }

  append(event: NewEvent): WorkflowEvent {
    const valid = newEventSchema.parse(event) as NewEvent;
    const stored = {
      ...valid,
      id: `${this.id}-${this.events.length + 1}`,
      workflowId: this.id,
      sequence: this.events.length + 1,
      timestamp: new Date().toISOString(),
    } as WorkflowEvent;
    this.events.push(stored);
    this.current = applyEvent(this.current, stored);
    return stored;
  }

  /** A snapshot for one stage run, as a Lambda handler would load it. */
  context(): StageContext {
    return {
      workflow: this.workflow,
      log: [...this.events],
      record: async (event) => {
        this.append(event);
      },
    };
  }

  ofType<T extends EventType>(type: T): WorkflowEvent<T>[] {
    return this.events.filter((event) => event.type === type) as WorkflowEvent<T>[];
  }

  /** Events recorded after a given sequence. */
  since(sequence: number): WorkflowEvent[] {
    return this.events.filter((event) => event.sequence > sequence);
  }
}

/** The developer's saved conversations in memory, as the DynamoDB store keeps them. */
export class MemoryConversations implements Conversations {
  readonly saved = new Map<string, unknown>();

  async load(workflowId: string, round: number): Promise<unknown> {
    const state = this.saved.get(`${workflowId}#${round}`);
    return state === undefined ? undefined : structuredClone(state);
  }

  async save(workflowId: string, round: number, state: unknown): Promise<void> {
    this.saved.set(`${workflowId}#${round}`, structuredClone(state));
  }

  async clear(workflowId: string, round: number): Promise<void> {
    this.saved.delete(`${workflowId}#${round}`);
  }
}
