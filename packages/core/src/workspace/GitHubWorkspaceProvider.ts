import { checkPassed } from "../checks/checkResults";
import { invalidField, WorkspaceError } from "../errors";
import type { ChecksSummary } from "../events/types";
import { refusedInput, type GitHubConnection } from "../github/GitHubConnection";
import { GitHubRepository, type RepositoryInfo } from "../github/GitHubRepository";
import { parseIssueReference, parseRepositoryName } from "../github/repositoryName";
import { workflowMarker } from "../github/markers";
import { GitHubWorkspace } from "./GitHubWorkspace";
import { treeDiff } from "./treeDiff";
import type {
  Changes,
  ChangesRequest,
  OpenWorkspaceRequest,
  Publication,
  PublishRequest,
  Workspace,
  WorkspaceProvider,
} from "./Workspace";

/** GitHub's limits on a pull request's title and body. */
const MAX_TITLE_LENGTH = 256;
const MAX_BODY_LENGTH = 65_536;

/**
 * Workspaces on GitHub repositories (`owner/name`), worked through the REST API with no clone,
 * so they run where there is no git and no disk that lasts (Lambda). Every stage reopens the
 * workflow's work-in-progress ref `refs/amelia/<workflowId>` at its head; the developer's commits
 * move that ref, which is all the state there is between invocations. At completion the branch
 * `amelia/<issueId>` is moved there and proposed as a pull request against the default branch.
 */
export class GitHubWorkspaceProvider implements WorkspaceProvider {
  constructor(private readonly github: GitHubConnection) {}

  /**
   * `owner/name` lower-cased (GitHub's names ignore case, so one repository has one spelling),
   * after checking that the token sees it, may push to it, and that it has a commit to start from.
   */
  async resolveRepository(repository?: string): Promise<string | undefined> {
    if (repository === undefined) return undefined;
    const name = parseRepositoryName(repository);
    if (!name) {
      throw invalidField("repository", `${repository} is not a GitHub repository (owner/name)`);
    }
    const octokit = await this.github.client();
    if (!octokit) {
      throw invalidField(
        "repository",
        `${repository} is on GitHub, and no GitHub token is configured (GITHUB_TOKEN)`,
      );
    }
    const github = new GitHubRepository(octokit, name);
    const info = await github
      .info()
      .catch((error: unknown) =>
        refusedInput(
          error,
          "repository",
          `GitHub has no repository ${repository}, or the token cannot see it`,
        ),
      );
    if (info.archived) throw invalidField("repository", `${info.fullName} is archived`);
    if (info.canPush === false) {
      throw invalidField("repository", `the GitHub token may not push to ${info.fullName}`);
    }
    if ((await github.branchTip(info.defaultBranch)) === undefined) {
      throw invalidField("repository", `${info.fullName} has no commits yet`);
    }
    return info.fullName.toLowerCase();
  }

  async open(request: OpenWorkspaceRequest): Promise<Workspace> {
    const github = await this.connect(request.repository);
    const info = await github.info();
    const workRef = workInProgressRef(request.workflowId);
    let head = await github.refTip(workRef);
    let baseCommit: string;
    if (head === undefined) {
      // The first stage: work starts where the branch is (an earlier workflow's), else at the
      // default branch's head.
      const branchTip = await github.branchTip(request.branch);
      const start = branchTip ?? (await github.branchTip(info.defaultBranch));
      if (start === undefined) {
        throw new WorkspaceError(`${info.fullName} has no commits yet`, github.fullName);
      }
      head = await github.createRef(workRef, start);
      baseCommit = branchTip === undefined ? start : await forkPoint(github, info, head);
    } else {
      baseCommit = await forkPoint(github, info, head);
    }
    const tree = await github.treeOf(head);
    return new GitHubWorkspace(
      github,
      `${info.htmlUrl}/tree/${request.branch}`,
      request.branch,
      baseCommit,
      workRef,
      { commit: head, tree, files: await github.files(tree) },
    );
  }

  /**
   * Moves the branch to the work in progress (creating it; fast-forward only) and opens a pull
   * request from it into the default branch, unless one is already open (a retried completion)
   * or the work adds nothing to the default branch. Only then does the branch change on GitHub,
   * so the repository's `on: push` workflows see the work once it was let through.
   */
  async publish(workflow: PublishRequest): Promise<Publication> {
    const { branch } = workflow;
    if (branch === undefined) return {};
    const github = await this.connect(workflow.repository);
    const info = await github.info();
    const workRef = workInProgressRef(workflow.id);
    const work = await github.refTip(workRef);
    if (work !== undefined) {
      const comparison = await github.compare(info.defaultBranch, work);
      if (!comparison || comparison.aheadBy === 0) return {};
      const tip = await github.branchTip(branch);
      if (tip === undefined) await github.createRef(`heads/${branch}`, work);
      else if (tip !== work) await github.moveRef(`heads/${branch}`, work);
    }
    const publication = await this.proposeBranch(github, info, workflow, branch);
    // The branch holds the work now; a retried completion finds it there.
    if (work !== undefined) await github.deleteRef(workRef);
    return publication;
  }

  /** From the stored commits' trees and blobs, exact renames found; no clone, no compare API's caps. */
  async changes(request: ChangesRequest): Promise<Changes> {
    const github = await this.connect(request.repository);
    const { baseCommit, commit } = request;
    const filesOf = async (sha: string) => github.files(await github.treeOf(sha));
    const [info, before, after] = await Promise.all([
      github.info(),
      filesOf(baseCommit),
      filesOf(commit),
    ]);
    return {
      diff: await treeDiff(before, after, (sha) => github.blob(sha), { renames: true }),
      commitUrl: `${info.htmlUrl}/commit/${commit}`,
      compareUrl: `${info.htmlUrl}/compare/${baseCommit}...${commit}`,
    };
  }

  private async proposeBranch(
    github: GitHubRepository,
    info: RepositoryInfo,
    workflow: PublishRequest,
    branch: string,
  ): Promise<Publication> {
    const open = await github.openPullRequest(info.owner, branch);
    if (open !== undefined) return { pullRequestUrl: open };
    const comparison = await github.compare(info.defaultBranch, branch);
    if (!comparison || comparison.aheadBy === 0) return {};
    try {
      return {
        pullRequestUrl: await github.createPullRequest({
          title: clip(workflow.title ?? `Amelia: ${workflow.issueId}`, MAX_TITLE_LENGTH),
          body: clip(pullRequestBody(workflow, github.fullName), MAX_BODY_LENGTH),
          head: branch,
          base: info.defaultBranch,
        }),
      };
    } catch (error) {
      // Another attempt opened it between our look and our create.
      const opened = await github.openPullRequest(info.owner, branch);
      if (opened !== undefined) return { pullRequestUrl: opened };
      throw error;
    }
  }

  private async connect(repository: string | undefined): Promise<GitHubRepository> {
    const name = repository === undefined ? undefined : parseRepositoryName(repository);
    if (!name) {
      throw new WorkspaceError(
        `${repository ?? "No repository"} is not a GitHub repository (owner/name)`,
        repository ?? "",
      );
    }
    const octokit = await this.github.client();
    if (!octokit) {
      throw new WorkspaceError(
        `No GitHub token is configured, and ${repository} is on GitHub (set GITHUB_TOKEN)`,
        repository ?? "",
      );
    }
    return new GitHubRepository(octokit, name);
  }
}

/**
 * Where a workflow's commits wait until it completes (without `refs/`): outside `refs/heads`, so
 * pushing there starts no `on: push` workflow and no branch appears.
 */
export function workInProgressRef(workflowId: string): string {
  return `amelia/${workflowId}`;
}

/** Where the work left the default branch; unrelated histories diff against the work's head. */
async function forkPoint(
  github: GitHubRepository,
  info: RepositoryInfo,
  head: string,
): Promise<string> {
  return (await github.compare(info.defaultBranch, head))?.mergeBase ?? head;
}

/**
 * What the pull request tells its reviewers: the issue it closes, the review, the latest checks,
 * the plan.
 */
function pullRequestBody(workflow: PublishRequest, repository: string): string {
  const issue = parseIssueReference(workflow.issueId);
  const sameRepository =
    issue !== undefined &&
    `${issue.repository.owner}/${issue.repository.repo}`.toLowerCase() === repository.toLowerCase();
  const lines = [
    // First, so that no cut of a long body loses it: finds the workflow for a revision.
    workflowMarker(workflow.id),
    `Amelia's work on issue \`${workflow.issueId}\`.`,
    ...(issue ? ["", `Closes ${sameRepository ? `#${issue.number}` : workflow.issueId}`] : []),
  ];
  if (workflow.review) {
    const { approved, severity, comments } = workflow.review;
    const rounds = workflow.iteration.review;
    lines.push(
      "",
      "## Review",
      "",
      approved
        ? `Approved by the reviewer agent after ${rounds} round${rounds === 1 ? "" : "s"}.`
        : `Accepted by a person after ${rounds} review rounds; the last review found ` +
            `${severity} issues:`,
      ...(approved ? [] : comments.map((comment) => `- ${comment}`)),
    );
  }
  lines.push("", "## Checks", "", ...checksSection(workflow.checks));
  if (workflow.plan !== undefined) lines.push("", "## Plan", "", workflow.plan);
  return `${lines.join("\n")}\n`;
}

/** The latest round's checks as a Markdown table, failures in bold. */
function checksSection(checks: ChecksSummary | undefined): string[] {
  if (!checks) return ["No checks ran."];
  const resultOf = ({ exitCode, timedOut }: ChecksSummary["results"][number]) => {
    if (timedOut) return "**timed out**";
    return exitCode === 0 ? "passed" : `**failed (exit ${exitCode})**`;
  };
  const failing = checks.results.filter((r) => !checkPassed(r)).length;
  return [
    checks.passed
      ? `Round ${checks.round}: every check passed.`
      : `Round ${checks.round}: ${failing} of ${checks.results.length} checks failed.`,
    "",
    "| Check | Result | Duration |",
    "| --- | --- | --- |",
    ...checks.results.map(
      (r) => `| ${r.name} | ${resultOf(r)} | ${(r.durationMs / 1000).toFixed(1)} s |`,
    ),
  ];
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
