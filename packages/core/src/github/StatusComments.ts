import type { Workflow } from "../workflow/Workflow";
import type { StatusCommentRecord } from "../store/StatusCommentStore";
import type { GitHubConnection } from "./GitHubConnection";
import { GitHubRepository } from "./GitHubRepository";
import { parseIssueReference } from "./repositoryName";
import { statusCommentBody } from "./statusComment";

export interface StatusCommentDependencies {
  workflow(id: string): Promise<Workflow>;
  store: {
    get(workflowId: string): Promise<StatusCommentRecord | undefined>;
    claim(workflowId: string, now: number, staleBefore: number): Promise<boolean>;
    saveComment(workflowId: string, commentId: number): Promise<void>;
  };
  github: GitHubConnection;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A creation claimed this long ago that stored no comment died half-way. */
const ABANDONED_CREATION_MS = 60_000;
/** How long a delivery waits for another one's creation before it leaves the event to a retry. */
const CREATION_WAIT_MS = 3_000;
const CREATION_POLL_MS = 250;
/** Edits in a row while the workflow keeps changing under one delivery. */
const MAX_EDITS = 3;

/** Another delivery is creating the status comment: this one is retried (by the bus) later. */
export class StatusCommentBusyError extends Error {
  constructor(readonly workflowId: string) {
    super(`The status comment of ${workflowId} is being created by another delivery`);
    this.name = "StatusCommentBusyError";
  }
}

/**
 * Keeps the status comment of each workflow started from GitHub up to date. Deliveries come at
 * least once and in any order, so each renders the workflow as it is now, and edits again while
 * what it rendered is no longer the latest; one comment per workflow, created once.
 */
export class StatusComments {
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: StatusCommentDependencies) {
    this.clock = deps.clock ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Brings the workflow's status comment up to date; nothing for a workflow not from GitHub. */
  async update(workflowId: string): Promise<void> {
    const workflow = await this.deps.workflow(workflowId);
    const issue = parseIssueReference(workflow.issueId);
    if (workflow.startedBy?.source !== "github" || !issue) return;
    const octokit = await this.deps.github.client();
    if (!octokit) throw new Error("No GitHub token is configured (GITHUB_TOKEN)");
    const github = new GitHubRepository(octokit, issue.repository);
    const commentId = await this.commentOf(workflow, issue.number, github);
    let rendered = workflow;
    let body = statusCommentBody(rendered);
    for (let edit = 0; edit < MAX_EDITS; edit++) {
      if (commentId.created !== true || edit > 0) await github.updateComment(commentId.id, body);
      rendered = await this.deps.workflow(workflowId);
      const latest = statusCommentBody(rendered);
      if (latest === body) return;
      body = latest;
    }
  }

  /** The comment's id: created (with this workflow's body) if this delivery claims it first. */
  private async commentOf(
    workflow: Workflow,
    number: number,
    github: GitHubRepository,
  ): Promise<{ id: number; created?: true }> {
    const waitUntil = this.clock() + CREATION_WAIT_MS;
    for (;;) {
      const record = await this.deps.store.get(workflow.id);
      if (record?.commentId !== undefined) return { id: record.commentId };
      const now = this.clock();
      if (await this.deps.store.claim(workflow.id, now, now - ABANDONED_CREATION_MS)) {
        const id = await github.createComment(number, statusCommentBody(workflow));
        await this.deps.store.saveComment(workflow.id, id);
        return { id, created: true };
      }
      if (now >= waitUntil) throw new StatusCommentBusyError(workflow.id);
      await this.sleep(CREATION_POLL_MS);
    }
  }
}
