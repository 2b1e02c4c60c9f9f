import { randomUUID } from "node:crypto";
import { errorMessage, InvalidStateError } from "../errors";
import { API_ACTOR, type Actor, type EventData, type RevisionRequest } from "../events/types";
import type { FirstStage } from "../definitions/stateMachine";
import { byline } from "./GateDecisions";
import { revisionDescription } from "./revision";
import type { Publication } from "../workspace/Workspace";
import type { CreateWorkflowInput, Workflow } from "./Workflow";
import { WorkflowCommands, type CommandDependencies } from "./WorkflowCommands";

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

/**
 * A workflow from its creation to its end: the commands, with creating a workflow (or a
 * revision) and completing it, which reach the repository host and the model's settings.
 * Every change goes through the recorder.
 */
export class WorkflowLifecycle extends WorkflowCommands {
  constructor(
    deps: CommandDependencies,
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
}

/** GitHub's limit on a title is well under the workflow's. */
function clipTitle(title: string): string {
  return title.length <= 256 ? title : `${title.slice(0, 255)}…`;
}
