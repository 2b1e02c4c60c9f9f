import { randomUUID } from "node:crypto";
import { ExecutionNotRedrivable } from "@aws-sdk/client-sfn";
import { errorMessage, InvalidStateError } from "../errors";
import {
  API_ACTOR,
  type Actor,
  type EventData,
  type NewEvent,
  type RevisionRequest,
} from "../events/types";
import type { FirstStage } from "../definitions/stateMachine";
import { byline } from "./GateDecisions";
import { revisionDescription } from "./revision";
import type { Publication } from "../workspace/Workspace";
import type { Admission, IssueKey } from "./Admission";
import { failureReason, WorkflowHaltedError, type StepFunctionsError } from "./failures";
import type { EventLog, GateStore, ProjectionStore, WorkflowExecutions } from "./dependencies";
import { isTerminal } from "./status";
import type { CreateWorkflowInput, Workflow } from "./Workflow";
import { WorkflowReads, type ReadDependencies } from "./WorkflowReads";
import type { Recorded, WorkflowRecorder } from "./WorkflowRecorder";

export interface LifecycleOptions {
  /** The model label recorded on new workflows ("amelia-demo" for the offline demo model). */
  model(): Promise<string>;
  /**
   * Throws a ValidationError unless the repository is usable; returns its canonical path, which
   * the workflow keeps, so the same repository spelled differently still meets the 409 rule.
   */
  resolveRepository(repository: string | undefined): Promise<string | undefined>;
  branchNameFor(issueId: string): string;
  /** The issue's title and body from its tracker, for a workflow created without them. */
  describeIssue?(issueId: string): Promise<IssueDetails | undefined>;
  /** The budget of a workflow created without one (US dollars); absent: no limit. */
  defaultBudgetUsd?: number;
  /** Proposes the completed work for merging (a pull request); idempotent. */
  publish?(workflow: Workflow): Promise<Publication>;
}

export interface RevisionInput {
  original: Workflow;
  pullRequest: { number: number; url: string };
  request: RevisionRequest;
  by: Actor;
}

export interface IssueDetails {
  title?: string;
  description?: string;
}

export interface LifecycleDependencies extends ReadDependencies {
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
 * A workflow from its creation to its end: create, cancel, resume, complete, fail, besides what
 * the API reads of it. Every change goes through the recorder.
 */
export class WorkflowLifecycle extends WorkflowReads {
  constructor(
    private readonly deps: LifecycleDependencies,
    private readonly options: LifecycleOptions,
  ) {
    super(deps);
  }

  async create(request: CreateWorkflowInput, by: Actor = API_ACTOR): Promise<Workflow> {
    const repository = await this.options.resolveRepository(request.repository);
    const issue =
      request.title === undefined || request.description === undefined
        ? await this.options.describeIssue?.(request.issueId)
        : undefined;
    const title = request.title ?? issue?.title;
    const description = request.description ?? issue?.description;
    const input = {
      ...request,
      ...(title !== undefined && { title }),
      ...(description !== undefined && { description }),
      ...(repository !== undefined && { repository }),
    };
    const id = randomUUID();
    await this.deps.admission.claim(id, input);
    const budgetUsd = request.budgetUsd ?? this.options.defaultBudgetUsd;
    await this.recordCreated(id, input, {
      kind: "issue",
      by,
      branch: this.options.branchNameFor(input.issueId),
      ...(budgetUsd !== undefined && { budgetUsd }),
    });
    return this.start(id, "architect");
  }

  /**
   * Starts a revision of a workflow's open pull request: a workflow of its own on the pull
   * request (`owner/name#<number>`, so one revision at a time per pull request), on the original's
   * branch, with its plan. The developer starts on the request unless it asks for a new plan.
   */
  async revise(revision: RevisionInput): Promise<Workflow> {
    const { original, pullRequest, request, by } = revision;
    if (original.repository === undefined || original.pullRequestUrl !== pullRequest.url) {
      throw new InvalidStateError(
        `Workflow ${original.id} did not open the pull request ${pullRequest.url}`,
        { status: original.status },
      );
    }
    const input = {
      issueId: `${original.repository}#${pullRequest.number}`,
      title: clipTitle(`Revision: ${original.title ?? original.issueId}`),
      description: revisionDescription(request),
      repository: original.repository,
    };
    const id = randomUUID();
    await this.deps.admission.claim(id, input);
    await this.recordCreated(id, input, {
      kind: "revision",
      by,
      branch: original.branch ?? this.options.branchNameFor(original.issueId),
      revisionOf: original.id,
      pullRequestUrl: pullRequest.url,
      ...(original.plan !== undefined && { plan: original.plan }),
      request,
      ...(this.options.defaultBudgetUsd !== undefined && {
        budgetUsd: this.options.defaultBudgetUsd,
      }),
    });
    await this.deps.recorder.record(original.id, {
      type: "revision_created",
      agent: "system",
      level: "info",
      message: `Revision ${id} of the pull request started${byline(by)}`,
      data: { revisionId: id, pullRequestUrl: pullRequest.url, by },
    });
    return this.start(id, request.replan ? "architect" : "developer");
  }

  /** The workflow active on an issue (a revision's: on its pull request), if there is one. */
  activeOn(issue: IssueKey): Promise<string | undefined> {
    return this.deps.admission.activeOn(issue);
  }

  private async recordCreated(
    id: string,
    input: CreateWorkflowInput,
    origin: Pick<
      EventData<"workflow_created">,
      "kind" | "by" | "branch" | "revisionOf" | "pullRequestUrl" | "plan" | "request" | "budgetUsd"
    >,
  ): Promise<void> {
    await this.deps.recorder.record(id, {
      type: "workflow_created",
      agent: "system",
      level: "info",
      message:
        origin.kind === "revision"
          ? `Revision created on pull request ${origin.pullRequestUrl}${byline(origin.by)}`
          : `Workflow created for issue ${input.issueId}${byline(origin.by)}`,
      data: {
        issueId: input.issueId,
        ...(input.title !== undefined && { title: input.title }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.repository !== undefined && { repository: input.repository }),
        ...origin,
        model: await this.options.model(),
      },
    });
  }

  /** Records the start, then starts the execution: the first agent event always follows it. */
  private async start(id: string, firstStage: FirstStage): Promise<Workflow> {
    const { workflow } = await this.deps.recorder.record(id, {
      type: "workflow_started",
      agent: "system",
      level: "info",
      message: "Workflow started",
      data: { executionArn: this.deps.executions.arnFor(id) },
    });
    try {
      await this.deps.executions.start(id, firstStage);
    } catch (error) {
      await this.fail(id, `The workflow could not start: ${errorMessage(error)}`);
      throw error;
    }
    return workflow;
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

  /** Called by the finish task: completes once; a repeated call finds it completed. */
  async complete(id: string): Promise<Workflow> {
    const workflow = await this.get(id);
    if (workflow.status === "completed") return workflow;
    // Only a workflow that can still complete proposes its work; recording refuses the others.
    const publication =
      workflow.status === "in_progress" ? await this.options.publish?.(workflow) : undefined;
    const pullRequestUrl = publication?.pullRequestUrl;
    return this.end(
      id,
      {
        type: "workflow_completed",
        agent: "system",
        level: "info",
        message:
          `Workflow completed on branch ${workflow.branch}` +
          (pullRequestUrl ? `: pull request ${pullRequestUrl}` : ""),
        data: {
          ...(workflow.branch && { branch: workflow.branch }),
          ...(pullRequestUrl !== undefined && { pullRequestUrl }),
        },
      },
      (ended) => ended.status === "completed",
    );
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
  private async end(
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

/** GitHub's limit on a title is well under the workflow's. */
function clipTitle(title: string): string {
  return title.length <= 256 ? title : `${title.slice(0, 255)}…`;
}
