import type { FirstStage, GateDecision } from "../definitions/stateMachine";
import type { Actor, EventPage, NewEvent, WorkflowEvent } from "../events/types";
import type { Gate, WorkflowStatus } from "./status";
import type { Workflow, WorkflowPage } from "./Workflow";

export type { WorkflowPage } from "./Workflow";

/**
 * What the workflow's domain needs from outside it. The DynamoDB stores, the Step Functions
 * `Executions` and the EventBridge `EventPublisher` implement these; the unit tests use
 * in-memory fakes of them.
 */

/** The append-only log of each workflow. */
export interface EventLog {
  /**
   * Appends at the next sequence and returns the event as stored. With `at`, only at that
   * sequence (right after the events the caller checked it against), else SequenceTakenError.
   */
  append(workflowId: string, event: NewEvent, at?: number): Promise<WorkflowEvent>;
  list(workflowId: string, since?: number, limit?: number): Promise<EventPage>;
  /** Every event after `since`, oldest first. */
  listAll(workflowId: string, since?: number): Promise<WorkflowEvent[]>;
}

/** Another event took the sequence an append was meant for: check against it, and try again. */
export class SequenceTakenError extends Error {
  constructor(
    readonly workflowId: string,
    readonly sequence: number,
  ) {
    super(`Event ${sequence} of ${workflowId} was taken by another writer`);
    this.name = "SequenceTakenError";
  }
}

/** A page of the workflows listing: newest first, optionally of one status. */
export interface WorkflowListOptions {
  status?: WorkflowStatus;
  limit: number;
  cursor?: string;
}

/** The stored projection of each log, the workflow as the API shows it. */
export interface ProjectionStore {
  get(workflowId: string): Promise<Workflow | undefined>;
  /**
   * Stores the projection if nobody stored a newer one since `basedOn` (its lastSequence when
   * read, undefined when there was none). False means: read again and catch up.
   */
  saveProjection(workflow: Workflow, basedOn: number | undefined): Promise<boolean>;
  /** Newest first; `status` narrows to one status. */
  list(options: WorkflowListOptions): Promise<WorkflowPage>;
  listAllWithStatus(status: WorkflowStatus): Promise<Workflow[]>;
}

export interface OpenGate {
  gate: Gate;
  taskToken: string;
}

/** The open gate of each workflow and its task token, which never leaves the server. */
export interface GateStore {
  putGate(workflowId: string, gate: OpenGate): Promise<void>;
  /** Removes the open gate and hands back its token; exactly one concurrent caller gets it. */
  takeGate(workflowId: string): Promise<OpenGate | undefined>;
}

/** Who holds a lock or slot item, and since when (epoch ms). */
export interface Claim {
  workflowId: string;
  claimedAt: number;
}

/**
 * A claim's outcome: claimed; held by another claim; or held when tried but released before
 * its holder could be read (the caller tries again).
 */
export type ClaimResult =
  { kind: "claimed" } | { kind: "held"; holder: Claim } | { kind: "vanished" };

/** The items behind the issue lock (409) and the active slots (429). */
export interface ClaimStore {
  claim(pk: string, sk: string, claim: Claim): Promise<ClaimResult>;
  /** Releases a claim only if this workflow still holds it (idempotent). */
  release(pk: string, sk: string, workflowId: string): Promise<void>;
  slotHolders(): Promise<Map<string, Claim>>;
  /** Who holds the item now, if anyone (a consistent read). */
  holder(pk: string, sk: string): Promise<Claim | undefined>;
}

/** Where a failed workflow's execution stands, for a resume. */
export interface StoppedExecution {
  /** RUNNING when it had not stopped yet by the end of the wait. */
  status: string;
  redrivable: boolean;
  /** Why it cannot be redriven, when it cannot. */
  reason?: string;
}

/** The workflow's state machine execution. */
export interface WorkflowExecutions {
  arnFor(workflowId: string): string;
  /** Starts it; a retried start of a running execution is no error. */
  /** Starts the execution at `firstStage` (the architect unless told). Idempotent. */
  start(workflowId: string, firstStage?: FirstStage): Promise<void>;
  stop(workflowId: string, cause: string): Promise<void>;
  whenStopped(workflowId: string, waitMs: number): Promise<StoppedExecution>;
  redrive(workflowId: string): Promise<void>;
  /** Hands a gate's decision to the execution waiting on the token. */
  decide(taskToken: string, decision: GateDecision): Promise<void>;
}

/** Tells subscribers about a recorded event, with where its workflow was started from. */
export interface EventSink {
  publish(event: WorkflowEvent, startedBy: Actor["source"]): Promise<void>;
}
