import { randomUUID } from "node:crypto";
import { ExecutionNotRedrivable, SFNServiceException } from "@aws-sdk/client-sfn";
import type { EventPublisher } from "../aws/EventPublisher";
import type { Executions } from "../aws/Executions";
import {
  ConcurrencyLimitError,
  InvalidStateError,
  NotFoundError,
  WorkflowConflictError,
} from "../errors";
import type { NewEvent, Review, WorkflowEvent } from "../events/types";
import { logger } from "../logger";
import type { EventPage, EventStore } from "../store/EventStore";
import { keys } from "../store/table";
import type { Claim, WorkflowPage, WorkflowStore } from "../store/WorkflowStore";
import { applyEvent, assertAccepts, replay } from "./projection";
import { isTerminal, type Gate, type WorkflowStatus } from "./status";
import type { CreateWorkflowInput, Workflow } from "./Workflow";
import type { Publication } from "../workspace/Workspace";

export interface WorkflowServiceOptions {
  maxActiveWorkflows: number;
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
  /** Proposes the completed work for merging (a pull request); idempotent. */
  publish?(workflow: Workflow): Promise<Publication>;
}

export interface IssueDetails {
  title?: string;
  description?: string;
}

export interface Recorded {
  event: WorkflowEvent;
  workflow: Workflow;
}

/** A claim with no workflow after this long belongs to a create that died half-way. */
const ABANDONED_CLAIM_MS = 60_000;

/** How long a resume waits for the failed execution to finish stopping. */
const RESUME_STOP_WAIT_MS = 10_000;

/** Token errors mean the execution no longer waits for this token. */
const GONE_TOKEN_ERRORS = new Set(["TaskDoesNotExist", "InvalidToken", "TaskTimedOut"]);

/**
 * The workflow's domain rules over its log: every change is an event appended to the log, then
 * folded into the stored projection, then published. Handlers call this and nothing below it.
 */
export class WorkflowService {
  constructor(
    private readonly log: EventStore,
    private readonly workflows: WorkflowStore,
    private readonly executions: Executions,
    private readonly publisher: EventPublisher,
    private readonly options: WorkflowServiceOptions,
  ) {}

  async create(request: CreateWorkflowInput): Promise<Workflow> {
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
    await this.claim(id, input);
    await this.record(id, {
      type: "workflow_created",
      agent: "system",
      level: "info",
      message: `Workflow created for issue ${input.issueId}`,
      data: {
        issueId: input.issueId,
        ...(input.title !== undefined && { title: input.title }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.repository !== undefined && { repository: input.repository }),
        branch: this.options.branchNameFor(input.issueId),
        model: await this.options.model(),
      },
    });
    // Recorded before the execution starts, so the first agent event always follows it.
    const { workflow } = await this.record(id, {
      type: "workflow_started",
      agent: "system",
      level: "info",
      message: "Workflow started",
      data: { executionArn: this.executions.arnFor(id) },
    });
    try {
      await this.executions.start(id);
    } catch (error) {
      await this.fail(id, `The workflow could not start: ${describe(error)}`);
      throw error;
    }
    return workflow;
  }

  async get(id: string): Promise<Workflow> {
    const workflow = await this.workflows.get(id);
    if (!workflow) throw new NotFoundError("Workflow", id);
    return workflow;
  }

  list(options: {
    status?: WorkflowStatus;
    limit: number;
    cursor?: string;
  }): Promise<WorkflowPage> {
    return this.workflows.list(options);
  }

  async listActive(): Promise<Workflow[]> {
    const groups = await Promise.all(
      (["pending", "in_progress", "blocked"] as const).map((s) =>
        this.workflows.listAllWithStatus(s),
      ),
    );
    return groups.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async events(id: string, since: number, limit: number): Promise<EventPage> {
    await this.get(id);
    return this.log.list(id, since, limit);
  }

  /** Every event of the workflow, oldest first. */
  history(id: string): Promise<WorkflowEvent[]> {
    return this.log.listAll(id);
  }

  approve(id: string): Promise<Workflow> {
    return this.decide(id, { approved: true });
  }

  reject(id: string, feedback: string): Promise<Workflow> {
    return this.decide(id, { approved: false, feedback });
  }

  async cancel(id: string, reason = "Cancelled by a person"): Promise<Workflow> {
    const workflow = await this.get(id);
    if (isTerminal(workflow.status)) {
      throw new InvalidStateError(`Workflow ${id} is already ${workflow.status}`, {
        status: workflow.status,
      });
    }
    await this.executions.stop(id, reason);
    await this.workflows.takeGate(id);
    const recorded = await this.record(id, {
      type: "workflow_cancelled",
      agent: "human",
      level: "warning",
      message: reason,
      data: { reason },
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
    const execution = await this.executions.whenStopped(id, RESUME_STOP_WAIT_MS);
    if (!execution.redrivable) {
      throw new InvalidStateError(`Workflow ${id} cannot be resumed: ${execution.reason}`, {
        status: workflow.status,
        execution: execution.status,
      });
    }
    await this.claim(id, workflow);
    const recorded = await this.record(id, {
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
      await this.executions.redrive(id);
    } catch (error) {
      await this.fail(id, `The workflow could not be resumed: ${describe(error)}`);
      if (error instanceof ExecutionNotRedrivable) {
        throw new InvalidStateError(`Workflow ${id} cannot be resumed: ${error.message}`);
      }
      throw error;
    }
    return recorded.workflow;
  }

  /** Called by the gate task: keeps the token server-side and tells the person. */
  async openGate(id: string, gate: Gate, taskToken: string): Promise<Workflow> {
    const workflow = await this.get(id);
    await this.workflows.putGate(id, { gate, taskToken });
    const recorded = await this.record(id, approvalRequired(workflow, gate));
    return recorded.workflow;
  }

  async complete(id: string): Promise<Workflow> {
    const workflow = await this.get(id);
    if (workflow.status === "completed") return workflow;
    // Only a workflow that can still complete proposes its work; recording refuses the others.
    const publication =
      workflow.status === "in_progress" ? await this.options.publish?.(workflow) : undefined;
    const pullRequestUrl = publication?.pullRequestUrl;
    const recorded = await this.record(id, {
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
    });
    return recorded.workflow;
  }

  /** Records the failure unless the workflow already ended (a retried or late call). */
  async fail(id: string, reason: string): Promise<Workflow> {
    const workflow = await this.get(id);
    if (isTerminal(workflow.status)) return workflow;
    const recorded = await this.record(id, {
      type: "workflow_failed",
      agent: "system",
      level: "error",
      message: `Workflow failed: ${reason}`,
      data: { reason, stage: workflow.stage },
    });
    return recorded.workflow;
  }

  /**
   * Appends one event after checking it against the workflow's status, then brings the stored
   * projection up to it and publishes it. A terminal workflow takes no more events.
   */
  async record(id: string, event: NewEvent): Promise<Recorded> {
    let current: Workflow | undefined;
    if (event.type !== "workflow_created") {
      current = await this.get(id);
      assertAccepts(current, event.type);
    }
    const stored = await this.log.append(id, event);
    const workflow = await this.project(id, stored, current);
    if (isTerminal(workflow.status)) await this.releaseClaims(workflow);
    try {
      await this.publisher.publish(stored);
    } catch (error) {
      // The log holds the event; subscribers that resubscribe with `since` still get it.
      logger.error("Publishing an event failed", {
        workflowId: id,
        sequence: stored.sequence,
        error,
      });
    }
    return { event: stored, workflow };
  }

  /** Rebuilds the stored projection from the whole log (repair after a lost update). */
  async rebuild(id: string): Promise<Workflow> {
    const workflow = replay(await this.log.listAll(id));
    if (!workflow) throw new NotFoundError("Workflow", id);
    for (;;) {
      const current = await this.workflows.get(id);
      if (await this.workflows.saveProjection(workflow, current?.lastSequence)) return workflow;
    }
  }

  private async decide(
    id: string,
    decision: { approved: true } | { approved: false; feedback: string },
  ): Promise<Workflow> {
    const workflow = await this.get(id);
    if (workflow.status !== "blocked") {
      throw new InvalidStateError(`Workflow ${id} is ${workflow.status}, not waiting at a gate`, {
        status: workflow.status,
      });
    }
    const gate = await this.workflows.takeGate(id);
    if (!gate) {
      throw new InvalidStateError(`The gate of workflow ${id} was already decided`, {
        status: workflow.status,
      });
    }
    const recorded = await this.record(
      id,
      decision.approved
        ? {
            type: "approval_granted",
            agent: "human",
            level: "info",
            message: `${gate.gate === "plan" ? "Plan" : "Review"} approved`,
            data: { gate: gate.gate },
          }
        : {
            type: "approval_rejected",
            agent: "human",
            level: "warning",
            message: `${gate.gate === "plan" ? "Plan" : "Review"} rejected: ${decision.feedback}`,
            data: { gate: gate.gate, feedback: decision.feedback },
          },
    );
    try {
      await this.executions.decide(gate.taskToken, { approved: decision.approved });
    } catch (error) {
      await this.undeliveredDecision(id, gate, error);
      throw error;
    }
    return recorded.workflow;
  }

  /** The decision is in the log but the execution did not take it: say so, and re-open the gate. */
  private async undeliveredDecision(
    id: string,
    gate: { gate: Gate; taskToken: string },
    error: unknown,
  ): Promise<void> {
    const tokenGone = error instanceof SFNServiceException && GONE_TOKEN_ERRORS.has(error.name);
    if (tokenGone) {
      await this.fail(id, `The execution stopped waiting at the ${gate.gate} gate (${error.name})`);
      return;
    }
    await this.record(id, {
      type: "system_error",
      agent: "system",
      level: "error",
      message: `The decision could not be delivered; the ${gate.gate} gate is open again`,
      data: { error: describe(error) },
    });
    await this.workflows.putGate(id, gate);
    await this.record(id, approvalRequired(await this.get(id), gate.gate));
  }

  /**
   * Brings the stored projection up to the appended event. `known` is the projection read just
   * before appending: usually still the latest, which saves reading it again.
   */
  private async project(id: string, appended: WorkflowEvent, known?: Workflow): Promise<Workflow> {
    let stored = known;
    for (;;) {
      stored ??= await this.workflows.get(id);
      const from = stored?.lastSequence ?? 0;
      if (from >= appended.sequence && stored) return stored;
      const newer = from === appended.sequence - 1 ? [appended] : await this.log.listAll(id, from);
      const workflow = newer.reduce<Workflow | undefined>(applyEvent, stored);
      if (!workflow) throw new NotFoundError("Workflow", id);
      if (await this.workflows.saveProjection(workflow, stored?.lastSequence)) return workflow;
      stored = undefined;
    }
  }

  /** Claims the issue (409 when another active workflow holds it), then an active slot (429). */
  private async claim(id: string, issue: { issueId: string; repository?: string }): Promise<void> {
    await this.claimIssue(id, issue);
    try {
      await this.claimSlot(id);
    } catch (error) {
      await this.releaseIssue(id, issue);
      throw error;
    }
  }

  private async claimIssue(
    id: string,
    input: { issueId: string; repository?: string },
  ): Promise<void> {
    const pk = keys.issueLock(input.repository, input.issueId);
    for (;;) {
      const holder = await this.workflows.claim(pk, keys.lock, id);
      if (holder === undefined) return;
      if (holder && !(await this.reclaimIfEnded(pk, keys.lock, holder))) {
        throw new WorkflowConflictError(input.issueId, input.repository, holder.workflowId);
      }
    }
  }

  private async claimSlot(id: string): Promise<void> {
    const limit = this.options.maxActiveWorkflows;
    for (let pass = 0; pass < 2; pass++) {
      const holders = await this.workflows.slotHolders();
      for (let n = 0; n < limit; n++) {
        const sk = keys.slot(n);
        if (holders.has(sk)) continue;
        if ((await this.workflows.claim(keys.slots, sk, id)) === undefined) return;
      }
      // Full: a slot may still be held by a workflow that ended without releasing it.
      let reclaimed = false;
      for (const [sk, holder] of holders) {
        if (await this.reclaimIfEnded(keys.slots, sk, holder)) reclaimed = true;
      }
      if (!reclaimed) break;
    }
    throw new ConcurrencyLimitError(limit);
  }

  private async reclaimIfEnded(pk: string, sk: string, holder: Claim): Promise<boolean> {
    const held = await this.workflows.get(holder.workflowId);
    if (held && !isTerminal(held.status)) return false;
    // No workflow yet: a create in flight, unless it has been that way too long to be alive.
    if (!held && Date.now() - holder.claimedAt < ABANDONED_CLAIM_MS) return false;
    await this.workflows.release(pk, sk, holder.workflowId);
    return true;
  }

  private async releaseClaims(workflow: Workflow): Promise<void> {
    await this.releaseIssue(workflow.id, workflow);
    const holders = await this.workflows.slotHolders();
    for (const [sk, holder] of holders) {
      if (holder.workflowId === workflow.id)
        await this.workflows.release(keys.slots, sk, workflow.id);
    }
  }

  private releaseIssue(id: string, issue: { issueId: string; repository?: string }): Promise<void> {
    return this.workflows.release(keys.issueLock(issue.repository, issue.issueId), keys.lock, id);
  }
}

function approvalRequired(workflow: Workflow, gate: Gate): NewEvent<"approval_required"> {
  const review: Review | undefined = workflow.review;
  return {
    type: "approval_required",
    agent: "system",
    level: "info",
    message:
      gate === "plan"
        ? "The plan is ready: approve it, or reject it with feedback"
        : "The review loop reached its cap: accept the work, or reject it with feedback",
    data:
      gate === "plan"
        ? { gate, ...(workflow.plan !== undefined && { plan: workflow.plan }) }
        : { gate, ...(review && { review }) },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
