import type {
  IssueCommentEvent,
  IssuesEvent,
  PullRequestReviewEvent,
  User,
} from "@octokit/webhooks-types";
import type { GitHubSettings } from "../config";
import {
  ConcurrencyLimitError,
  type FieldIssue,
  InvalidStateError,
  NotFoundError,
  ValidationError,
  WorkflowConflictError,
} from "../errors";
import type { Actor, RevisionRequest } from "../events/types";
import { parseInput } from "../validation";
import type { GateDecisions } from "../workflow/GateDecisions";
import { createWorkflowSchema, rejectSchema, type Workflow } from "../workflow/Workflow";
import type { WorkflowLifecycle } from "../workflow/WorkflowLifecycle";
import { COMMAND_USAGE, parseCommand, type Command } from "./commands";
import type { GitHubConnection } from "./GitHubConnection";
import { GitHubRepository, type PullRequestInfo } from "./GitHubRepository";
import { isAmeliasText, markedWorkflowId, REPLY_MARKER } from "./markers";
import { parseRepositoryName } from "./repositoryName";

/** Where on GitHub a delivery happened: `owner/name` in lower case, and the issue's number. */
interface Place {
  repository: string;
  number: number;
}

/** A delivery Amelia acts on; anything else is answered without a trace. */
export type WebhookAction =
  | (Place & { kind: "start"; title: string; body: string; login: string })
  | (Place & { kind: "command"; command: Command; onPullRequest: boolean; login: string })
  | (Place & {
      kind: "review";
      pullRequest: PullRequestInfo;
      reviewId: number;
      text: string;
      login: string;
    });

export type Selection = { action: WebhookAction } | { ignored: string };

export type WebhookOutcome = {
  outcome:
    | "started"
    | "approved"
    | "rejected"
    | "cancelled"
    | "revision_started"
    | "refused"
    | "conflict"
    | "busy"
    | "not_at_gate"
    | "no_workflow"
    | "invalid";
  workflowId?: string;
};

/**
 * Which deliveries call for action, from the payload alone (no I/O): a label or an assignment
 * that starts a workflow, a command in a comment, a review that requests changes, on a
 * repository Amelia may work on. Amelia's own comments and bots' never act.
 */
export function selectAction(event: string, payload: unknown, settings: GitHubSettings): Selection {
  const repository = (payload as { repository?: { full_name?: unknown } } | undefined)?.repository
    ?.full_name;
  if (!["issues", "issue_comment", "pull_request_review"].includes(event)) {
    return { ignored: `Amelia does not act on ${event} events` };
  }
  if (typeof repository !== "string" || !parseRepositoryName(repository)) {
    throw new ValidationError(`The ${event} payload names no repository`, [
      { field: "repository.full_name", message: "must be owner/name" },
    ]);
  }
  if (!settings.repositories.includes(repository.toLowerCase())) {
    return { ignored: `${repository} is not in AMELIA_GITHUB_REPOSITORIES` };
  }
  const name = repository.toLowerCase();
  switch (event) {
    case "issues":
      return selectIssueEvent(payload as IssuesEvent, name, settings);
    case "issue_comment":
      return selectComment(payload as IssueCommentEvent, name, settings);
    default:
      return selectReview(payload as PullRequestReviewEvent, name, settings);
  }
}

function selectIssueEvent(
  payload: IssuesEvent,
  repository: string,
  settings: GitHubSettings,
): Selection {
  const starts =
    (payload.action === "labeled" &&
      payload.label?.name.toLowerCase() === settings.label.toLowerCase()) ||
    (payload.action === "assigned" &&
      settings.botLogin !== undefined &&
      payload.assignee?.login.toLowerCase() === settings.botLogin.toLowerCase());
  if (!starts) return { ignored: `issues.${payload.action} does not start a workflow` };
  if (payload.issue.state === "closed") return { ignored: "the issue is closed" };
  return {
    action: {
      kind: "start",
      repository,
      number: payload.issue.number,
      title: payload.issue.title,
      body: payload.issue.body ?? "",
      login: payload.sender.login,
    },
  };
}

function selectComment(
  payload: IssueCommentEvent,
  repository: string,
  settings: GitHubSettings,
): Selection {
  if (payload.action !== "created") return { ignored: `issue_comment.${payload.action}` };
  const { comment, issue } = payload;
  if (isAmeliasText(comment.body) || isBot(comment.user, settings)) {
    return { ignored: "a comment of Amelia's own, or a bot's" };
  }
  const command = parseCommand(comment.body);
  if (!command) return { ignored: "the comment is not an /amelia command" };
  return {
    action: {
      kind: "command",
      repository,
      number: issue.number,
      command,
      onPullRequest: issue.pull_request !== undefined,
      login: comment.user.login,
    },
  };
}

function selectReview(
  payload: PullRequestReviewEvent,
  repository: string,
  settings: GitHubSettings,
): Selection {
  if (payload.action !== "submitted") return { ignored: `pull_request_review.${payload.action}` };
  const { review, pull_request: pull } = payload;
  if (review.state.toLowerCase() !== "changes_requested") {
    return { ignored: "the review does not request changes" };
  }
  if (isBot(review.user, settings)) return { ignored: "a review of Amelia's own, or a bot's" };
  // People review each other's pull requests too: only Amelia's are its business.
  if (markedWorkflowId(pull.body ?? "") === undefined) {
    return { ignored: "the pull request is not one Amelia opened" };
  }
  return {
    action: {
      kind: "review",
      repository,
      number: pull.number,
      pullRequest: {
        number: pull.number,
        htmlUrl: pull.html_url,
        state: pull.state === "open" ? "open" : "closed",
        body: pull.body ?? "",
        headRef: pull.head.ref,
      },
      reviewId: review.id,
      text: review.body ?? "",
      login: review.user.login,
    },
  };
}

function isBot(user: Pick<User, "login" | "type">, settings: GitHubSettings): boolean {
  return (
    user.type === "Bot" ||
    (settings.botLogin !== undefined &&
      user.login.toLowerCase() === settings.botLogin.toLowerCase())
  );
}

export interface WebhookDependencies {
  workflows: WorkflowLifecycle;
  gates: GateDecisions;
  github: GitHubConnection;
}

/**
 * Acts on a selected delivery as the API would for the same request, and answers the person on
 * GitHub when it does not: someone without write access, a command with no gate to decide, a
 * second workflow or revision, the active-workflow limit.
 */
export class GitHubWebhooks {
  constructor(private readonly deps: WebhookDependencies) {}

  async act(action: WebhookAction): Promise<WebhookOutcome> {
    const octokit = await this.deps.github.client();
    if (!octokit) throw new Error("No GitHub token is configured (GITHUB_TOKEN)");
    const name = parseRepositoryName(action.repository);
    if (!name) throw new Error(`Not a repository: ${action.repository}`);
    const github = new GitHubRepository(octokit, name);
    const reply = (text: string) =>
      github.createComment(action.number, `${REPLY_MARKER}\n@${action.login} ${text}`);
    const by: Actor = { source: "github", login: action.login };
    try {
      switch (action.kind) {
        case "start":
          return await this.start(action, by);
        case "review": {
          if (!(await github.canWrite(action.login))) return await refuse(reply, action);
          const comments = await github.reviewComments(action.number, action.reviewId);
          return await this.revise(action.pullRequest, { text: action.text, comments }, by, reply);
        }
        case "command":
          if (!(await github.canWrite(action.login))) return await refuse(reply, action);
          return await this.command(action, github, by, reply);
      }
    } catch (error) {
      const answer = answerFor(error);
      if (answer === undefined) throw error;
      await reply(answer.text);
      return { outcome: answer.outcome };
    }
  }

  private async start(action: Extract<WebhookAction, { kind: "start" }>, by: Actor) {
    const input = parseInput(
      createWorkflowSchema,
      {
        issueId: `${action.repository}#${action.number}`,
        title: action.title,
        description: action.body,
        repository: action.repository,
      },
      "issue",
    );
    const workflow = await this.deps.workflows.create(input, by);
    return started("started", workflow);
  }

  private async command(
    action: Extract<WebhookAction, { kind: "command" }>,
    github: GitHubRepository,
    by: Actor,
    reply: (text: string) => Promise<unknown>,
  ): Promise<WebhookOutcome> {
    const { command } = action;
    if (command.name === "unknown") {
      await reply(`${command.problem}. Amelia understands:\n\n${bullets(COMMAND_USAGE)}`);
      return { outcome: "invalid" };
    }
    if (command.name === "revise") {
      if (!action.onPullRequest) {
        await reply("`/amelia revise` works on a pull request Amelia opened.");
        return { outcome: "invalid" };
      }
      const pullRequest = await github.pullRequest(action.number);
      const request = {
        text: command.request,
        comments: [],
        ...(command.replan && { replan: true as const }),
      };
      return this.revise(pullRequest, request, by, reply);
    }
    const id = await this.deps.workflows.activeOn({
      issueId: `${action.repository}#${action.number}`,
      repository: action.repository,
    });
    if (id === undefined) {
      await reply(`no workflow of Amelia's is active here: there is nothing to ${command.name}.`);
      return { outcome: "no_workflow" };
    }
    try {
      switch (command.name) {
        case "approve":
          return started("approved", await this.deps.gates.approve(id, by));
        case "reject": {
          const { feedback } = parseInput(rejectSchema, { feedback: command.feedback }, "comment");
          return started("rejected", await this.deps.gates.reject(id, feedback, by));
        }
        case "cancel":
          return started(
            "cancelled",
            await this.deps.workflows.cancel(id, `Cancelled by @${action.login} on GitHub`, by),
          );
      }
    } catch (error) {
      if (!(error instanceof InvalidStateError)) throw error;
      const workflow = await this.deps.workflows.get(id);
      // At the budget gate the person is told how to go on; elsewhere, where the workflow is.
      await reply(
        workflow.gate === "budget"
          ? `workflow \`${id}\` waits for more budget ($${workflow.usage.costUsd.toFixed(2)} spent of $${workflow.budgetUsd ?? 0}): raise it on Amelia's page or with \`amelia budget\`, or \`/amelia cancel\`.`
          : `workflow \`${id}\` ${stateOf(workflow)}: there is no gate to decide.`,
      );
      return { outcome: "not_at_gate", workflowId: id };
    }
  }

  private async revise(
    pullRequest: PullRequestInfo,
    request: RevisionRequest,
    by: Actor,
    reply: (text: string) => Promise<unknown>,
  ): Promise<WebhookOutcome> {
    const original = await this.originalOf(pullRequest);
    if (!original) {
      await reply("Amelia did not open this pull request, so it cannot revise it.");
      return { outcome: "invalid" };
    }
    if (pullRequest.state !== "open") {
      await reply("this pull request is closed: there is nothing to revise.");
      return { outcome: "invalid" };
    }
    const revision = await this.deps.workflows.revise({
      original,
      pullRequest: { number: pullRequest.number, url: pullRequest.htmlUrl },
      request,
      by,
    });
    return started("revision_started", revision);
  }

  /** The workflow that opened the pull request: named in its body, and holding its address. */
  private async originalOf(pullRequest: PullRequestInfo): Promise<Workflow | undefined> {
    const id = markedWorkflowId(pullRequest.body);
    if (id === undefined) return undefined;
    const workflow = await this.deps.workflows.get(id).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    return workflow?.pullRequestUrl === pullRequest.htmlUrl ? workflow : undefined;
  }
}

async function refuse(
  reply: (text: string) => Promise<unknown>,
  action: WebhookAction,
): Promise<WebhookOutcome> {
  await reply(`only people with write access to ${action.repository} can tell Amelia what to do.`);
  return { outcome: "refused" };
}

/** What to tell the person for the API's refusals; undefined for an error that is not theirs. */
function answerFor(
  error: unknown,
): { outcome: WebhookOutcome["outcome"]; text: string } | undefined {
  if (error instanceof WorkflowConflictError) {
    return {
      outcome: "conflict",
      text: `Amelia is already at work here (workflow \`${error.activeWorkflowId}\`): one at a time.`,
    };
  }
  if (error instanceof ConcurrencyLimitError) {
    return {
      outcome: "busy",
      text: `Amelia already runs ${error.limit} workflows, its limit: try again when one has finished.`,
    };
  }
  if (error instanceof ValidationError) {
    const issues = (error.details ?? []) as FieldIssue[];
    const details = issues.map((issue) => `${issue.field}: ${issue.message}`);
    return { outcome: "invalid", text: [error.message, ...details].join("; ") };
  }
  return undefined;
}

function started(outcome: WebhookOutcome["outcome"], workflow: Workflow): WebhookOutcome {
  return { outcome, workflowId: workflow.id };
}

function stateOf(workflow: Workflow): string {
  return workflow.status === "in_progress"
    ? `is at the ${workflow.stage} stage`
    : `is ${workflow.status}`;
}

function bullets(lines: string): string {
  return lines
    .split("\n")
    .map((line) => `- ${line}`)
    .join("\n");
}
