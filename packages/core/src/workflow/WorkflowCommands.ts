import { ExecutionNotRedrivable } from "@aws-sdk/client-sfn";
import { errorMessage, InvalidStateError } from "../errors";
import { API_ACTOR, type Actor, type NewEvent } from "../events/types";
import type { FirstStage } from "../definitions/stateMachine";
import type { Admission, IssueKey } from "./Admission";
import { failureReason, WorkflowHaltedError, type StepFunctionsError } from "./failures";
import type { EventLog, GateStore, ProjectionStore, WorkflowExecutions } from "./dependencies";
import { isTerminal } from "./status";
import type { Workflow } from "./Workflow";
import { WorkflowReads, type ReadDependencies } from "./WorkflowReads";
import type { Recorded, WorkflowRecorder } from "./WorkflowRecorder";

export interface CommandDependencies extends ReadDependencies {
  recorder: WorkflowRecorder;
  log: EventLog;
  projections: ProjectionStore;
  gates: GateStore;
  executions: WorkflowExecutions;
  admission: Pick<Admission, "claim" | "activeOn">;
}

/** A workflow's last sequence when it was started and nothing ran yet: created, started. */
const UNTOUCHED_AFTER_START = 2;

/** How long a resume waits for the failed execution to finish stopping. */
const RESUME_STOP_WAIT_MS = 10_000;

/**
 * What is done to a workflow that exists: record, cancel, resume, fail, halt, besides what the
 * API reads of it. It needs the table, Step Functions and the bus, and no repository host: the
 * functions that only decide on workflows bundle these commands, not the whole lifecycle.
 */
export class WorkflowCommands extends WorkflowReads {
  constructor(protected readonly deps: CommandDependencies) {
    super(deps);
  }

  /** The workflow active on an issue (a revision's: on its pull request), if there is one. */
  activeOn(issue: IssueKey): Promise<string | undefined> {
    return this.deps.admission.activeOn(issue);
  }

  /**
   * Starts the workflows whose create was cut off between recording and starting (a crash): a
   * pending one is started; an in-progress one that recorded nothing since `workflow_started`
   * gets its start again, which is idempotent. Only those unchanged since before `before` (ISO
   * time), so a create under way is left to finish. Returns the ids it started.
   */
  async startInterrupted(before: string): Promise<string[]> {
    const [pending, running] = await Promise.all([
      this.deps.projections.listAllWithStatus("pending"),
      this.deps.projections.listAllWithStatus("in_progress"),
    ]);
    const interrupted = [
      ...pending,
      ...running.filter((workflow) => workflow.lastSequence === UNTOUCHED_AFTER_START),
    ].filter((workflow) => workflow.updatedAt < before);
    for (const workflow of interrupted) {
      if (workflow.status === "pending") {
        await this.deps.recorder.record(workflow.id, {
          type: "workflow_started",
          agent: "system",
          level: "info",
          message: "Workflow started (its start had been cut off)",
          data: { executionArn: this.deps.executions.arnFor(workflow.id) },
        });
      }
      await this.deps.executions.start(workflow.id, firstStageOf(workflow));
    }
    return interrupted.map((workflow) => workflow.id);
  }

  /** Records what a stage produced (agent messages, files, plans, usage). */
  record(id: string, event: NewEvent): Promise<Recorded> {
    return this.deps.recorder.record(id, event);
  }

  /** Rebuilds the stored projection from the whole log (repair after a lost update). */
  rebuild(id: string): Promise<Workflow> {
    return this.deps.recorder.rebuild(id);
  }

  async cancel(
    id: string,
    reason = "Cancelled by a person",
    by: Actor = API_ACTOR,
  ): Promise<Workflow> {
    const workflow = await this.get(id);
    if (isTerminal(workflow.status)) {
      throw new InvalidStateError(`Workflow ${id} is already ${workflow.status}`, {
        status: workflow.status,
      });
    }
    await this.deps.executions.stop(id, reason);
    await this.deps.gates.takeGate(id);
    const recorded = await this.deps.recorder.record(id, {
      type: "workflow_cancelled",
      agent: "human",
      level: "warning",
      message: reason,
      data: { reason, by },
    });
    return recorded.workflow;
  }

  /**
   * Continues a failed workflow from the stage that failed: it becomes active again (claiming its
   * issue and a slot like a new one), then its execution is redriven from the failed state, which
   * lets a resumed workflow through to that stage (Step Functions RedriveExecution).
   */
  async resume(id: string): Promise<Workflow> {
    const workflow = await this.get(id);
    if (workflow.status !== "failed") {
      throw new InvalidStateError(
        `Workflow ${id} is ${workflow.status}: only a failed workflow can be resumed`,
        { status: workflow.status },
      );
    }
    const execution = await this.deps.executions.whenStopped(id, RESUME_STOP_WAIT_MS);
    if (!execution.redrivable) {
      throw new InvalidStateError(`Workflow ${id} cannot be resumed: ${execution.reason}`, {
        status: workflow.status,
        execution: execution.status,
      });
    }
    await this.deps.admission.claim(id, workflow);
    const recorded = await this.deps.recorder.record(id, {
      type: "workflow_resumed",
      agent: "human",
      level: "info",
      message: `Workflow resumed at the ${workflow.stage} stage`,
      data: {
        stage: workflow.stage,
        ...(workflow.failureReason !== undefined && { failureReason: workflow.failureReason }),
      },
    });
    try {
      await this.deps.executions.redrive(id);
    } catch (error) {
      await this.fail(id, `The workflow could not be resumed: ${errorMessage(error)}`);
      if (error instanceof ExecutionNotRedrivable) {
        throw new InvalidStateError(`Workflow ${id} cannot be resumed: ${error.message}`);
      }
      throw error;
    }
    return recorded.workflow;
  }

  /** Records the failure unless the workflow already ended (a retried or late call). */
  async fail(id: string, reason: string): Promise<Workflow> {
    const workflow = await this.get(id);
    if (isTerminal(workflow.status)) return workflow;
    return this.end(
      id,
      {
        type: "workflow_failed",
        agent: "system",
        level: "error",
        message: `Workflow failed: ${reason}`,
        data: { reason, stage: workflow.stage },
      },
      (ended) => isTerminal(ended.status),
    );
  }

  /** Called by the finish task when a stage failed for good: fails with a reason a person reads. */
  async failStage(id: string, error: StepFunctionsError): Promise<Workflow> {
    const workflow = await this.get(id);
    return this.fail(id, failureReason(workflow.stage, error));
  }

  /**
   * Called by the halt task, where a failed workflow's execution stops: it fails there with the
   * workflow's reason, as often as it runs. A resumed workflow is active again and passes.
   */
  async halt(id: string): Promise<void> {
    const workflow = await this.get(id);
    if (workflow.status !== "in_progress") {
      throw new WorkflowHaltedError(workflow.failureReason ?? `The workflow is ${workflow.status}`);
    }
  }

  /**
   * Records an ending. A concurrent call (a duplicate delivery of the same task) may have
   * recorded it first: then the ending it finds is the answer, not an error.
   */
  protected async end(
    id: string,
    event: NewEvent,
    alreadyEnded: (workflow: Workflow) => boolean,
  ): Promise<Workflow> {
    try {
      return (await this.deps.recorder.record(id, event)).workflow;
    } catch (error) {
      if (!(error instanceof InvalidStateError)) throw error;
      const workflow = await this.get(id);
      if (alreadyEnded(workflow)) return workflow;
      throw error;
    }
  }
}

/** Where a workflow's execution starts: a revision's projection starts at its first stage. */
function firstStageOf(workflow: Workflow): FirstStage {
  return workflow.stage === "developer" ? "developer" : "architect";
}
