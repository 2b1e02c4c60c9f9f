import type { Octokit } from "@octokit/rest";
import pMap from "p-map";
import { errorMessage, WorkspaceError } from "../errors";
import type { LineComment } from "../events/types";
import { SUBMODULE_MODE } from "../workspace/gitObjects";
import { httpStatusOf } from "./GitHubConnection";
import type { RepositoryName } from "./repositoryName";

/** A file in a git tree: a blob (regular, executable or symlink) or a submodule's commit. */
export interface TreeFile {
  mode: string;
  sha: string;
  /** The blob's size in bytes, as the tree listing gives it. */
  size?: number;
}

/** A tree flattened to its files, keyed by path. */
export type TreeFiles = Map<string, TreeFile>;

/** A change for `createTree`: new content for a path, or its removal. */
export type TreeChange =
  { path: string; mode: string; content: string } | { path: string; mode: string; delete: true };

export interface RepositoryInfo {
  /** `Owner/Name` as GitHub spells it. */
  fullName: string;
  owner: string;
  defaultBranch: string;
  htmlUrl: string;
  archived: boolean;
  /** Absent when GitHub does not say (it says for authenticated requests). */
  canPush?: boolean;
}

export interface PullRequestInfo {
  number: number;
  htmlUrl: string;
  state: "open" | "closed";
  body: string;
  headRef: string;
}

/** How far a branch is from another: where they forked, and how many commits it is ahead. */
export interface Comparison {
  mergeBase: string;
  aheadBy: number;
}

/** Directories read at once when a tree is too large for one recursive answer. */
const TREE_WALK_CONCURRENCY = 8;

/**
 * One repository through GitHub's REST API: the Git Data endpoints (refs, commits, trees, blobs)
 * for the work, and pulls and issues for the conversation around it.
 */
export class GitHubRepository {
  constructor(
    private readonly octokit: Octokit,
    readonly name: RepositoryName,
  ) {}

  get fullName(): string {
    return `${this.name.owner}/${this.name.repo}`;
  }

  async info(): Promise<RepositoryInfo> {
    const { data } = await this.octokit.rest.repos.get({ ...this.name });
    return {
      fullName: data.full_name,
      owner: data.owner.login,
      defaultBranch: data.default_branch,
      htmlUrl: data.html_url,
      archived: data.archived,
      ...(data.permissions && { canPush: data.permissions.push }),
    };
  }

  /** The commit a branch points at, or undefined when there is no such branch. */
  branchTip(branch: string): Promise<string | undefined> {
    return this.refTip(`heads/${branch}`);
  }

  /** The commit a ref (`heads/main`, `amelia/<id>`: without `refs/`) points at, if it exists. */
  async refTip(ref: string): Promise<string | undefined> {
    try {
      const { data } = await this.octokit.rest.git.getRef({ ...this.name, ref });
      return data.object.sha;
    } catch (error) {
      // 409: the repository is empty, so no ref exists yet.
      if (httpStatusOf(error) === 404 || httpStatusOf(error) === 409) return undefined;
      throw error;
    }
  }

  /** Creates a ref at `sha`, or returns where it already points if another call won. */
  async createRef(ref: string, sha: string): Promise<string> {
    try {
      await this.octokit.rest.git.createRef({ ...this.name, ref: `refs/${ref}`, sha });
      return sha;
    } catch (error) {
      if (httpStatusOf(error) !== 422) throw error;
      const tip = await this.refTip(ref);
      if (tip !== undefined) return tip;
      throw new WorkspaceError(
        `GitHub refused to create ${refLabel(ref)} in ${this.fullName}: ${messageOf(error)}`,
        ref,
      );
    }
  }

  /** Moves a ref forward to `sha`; refuses (never forces) when it moved on meanwhile. */
  async moveRef(ref: string, sha: string): Promise<void> {
    try {
      await this.octokit.rest.git.updateRef({ ...this.name, ref, sha, force: false });
    } catch (error) {
      if (httpStatusOf(error) !== 422) throw error;
      throw new WorkspaceError(
        `${capitalize(refLabel(ref))} of ${this.fullName} changed on GitHub while the workspace ` +
          `was open (${messageOf(error)}); nothing was committed`,
        ref,
      );
    }
  }

  /** Deletes a ref; nothing to do when it is already gone. */
  async deleteRef(ref: string): Promise<void> {
    try {
      await this.octokit.rest.git.deleteRef({ ...this.name, ref });
    } catch (error) {
      if (httpStatusOf(error) !== 422 && httpStatusOf(error) !== 404) throw error;
    }
  }

  /** `head` against `base`; undefined when they share no history. */
  async compare(base: string, head: string): Promise<Comparison | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({
        ...this.name,
        basehead: `${base}...${head}`,
        per_page: 1,
      });
      return { mergeBase: data.merge_base_commit.sha, aheadBy: data.ahead_by };
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async treeOf(commit: string): Promise<string> {
    const { data } = await this.octokit.rest.git.getCommit({ ...this.name, commit_sha: commit });
    return data.tree.sha;
  }

  /** Every file under a tree. One request, unless the tree is too big for one answer. */
  async files(tree: string): Promise<TreeFiles> {
    const files: TreeFiles = new Map();
    const { data } = await this.octokit.rest.git.getTree({
      ...this.name,
      tree_sha: tree,
      recursive: "1",
    });
    if (!data.truncated) {
      for (const entry of data.tree) addFile(files, "", entry);
      return files;
    }
    await this.walk(tree, "", files);
    return files;
  }

  async blob(sha: string): Promise<Buffer> {
    const { data } = await this.octokit.rest.git.getBlob({ ...this.name, file_sha: sha });
    return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
  }

  /** A new tree: `base` with the changes applied. Returns its sha. */
  async createTree(base: string, changes: readonly TreeChange[]): Promise<string> {
    const { data } = await this.octokit.rest.git.createTree({
      ...this.name,
      base_tree: base,
      tree: changes.map((change) =>
        "content" in change
          ? { path: change.path, mode: asMode(change.mode), type: "blob", content: change.content }
          : { path: change.path, mode: asMode(change.mode), type: "blob", sha: null },
      ),
    });
    return data.sha;
  }

  async createCommit(message: string, tree: string, parent: string): Promise<string> {
    const { data } = await this.octokit.rest.git.createCommit({
      ...this.name,
      message,
      tree,
      parents: [parent],
    });
    return data.sha;
  }

  /** The web address of the open pull request from `owner:branch`, if there is one. */
  async openPullRequest(owner: string, branch: string): Promise<string | undefined> {
    const { data } = await this.octokit.rest.pulls.list({
      ...this.name,
      head: `${owner}:${branch}`,
      state: "open",
      per_page: 1,
    });
    return data[0]?.html_url;
  }

  /** Opens a pull request; its web address. */
  async createPullRequest(request: {
    title: string;
    body: string;
    head: string;
    base: string;
  }): Promise<string> {
    const { data } = await this.octokit.rest.pulls.create({ ...this.name, ...request });
    return data.html_url;
  }

  /** Comments on an issue or a pull request (they share numbers); the new comment's id. */
  async createComment(number: number, body: string): Promise<number> {
    const { data } = await this.octokit.rest.issues.createComment({
      ...this.name,
      issue_number: number,
      body,
    });
    return data.id;
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({ ...this.name, comment_id: commentId, body });
  }

  /**
   * Whether a person may change the repository (write, maintain or admin), as GitHub says now:
   * never from a webhook's payload. Someone GitHub does not know there may not.
   */
  async canWrite(login: string): Promise<boolean> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
        ...this.name,
        username: login,
      });
      return ["admin", "maintain", "write"].includes(data.role_name);
    } catch (error) {
      if (httpStatusOf(error) === 404) return false;
      throw error;
    }
  }

  async pullRequest(number: number): Promise<PullRequestInfo> {
    const { data } = await this.octokit.rest.pulls.get({ ...this.name, pull_number: number });
    return {
      number: data.number,
      htmlUrl: data.html_url,
      state: data.state === "open" ? "open" : "closed",
      body: data.body ?? "",
      headRef: data.head.ref,
    };
  }

  /** The comments a review left on lines of the pull request, in order. */
  async reviewComments(pullNumber: number, reviewId: number): Promise<LineComment[]> {
    const comments = await this.octokit.paginate(this.octokit.rest.pulls.listCommentsForReview, {
      ...this.name,
      pull_number: pullNumber,
      review_id: reviewId,
      per_page: 100,
    });
    return comments.map((comment) => ({
      path: comment.path,
      ...(typeof comment.line === "number" && { line: comment.line }),
      body: comment.body,
      ...(comment.user && { author: comment.user.login }),
    }));
  }

  async issue(number: number): Promise<{ title: string; body?: string }> {
    const { data } = await this.octokit.rest.issues.get({ ...this.name, issue_number: number });
    return { title: data.title, ...(data.body && { body: data.body }) };
  }

  private async walk(tree: string, prefix: string, files: TreeFiles): Promise<void> {
    const { data } = await this.octokit.rest.git.getTree({ ...this.name, tree_sha: tree });
    for (const entry of data.tree) addFile(files, prefix, entry);
    const subtrees = data.tree.filter((entry) => entry.type === "tree" && entry.sha && entry.path);
    await pMap(
      subtrees,
      (entry) => this.walk(entry.sha as string, `${prefix}${entry.path}/`, files),
      { concurrency: TREE_WALK_CONCURRENCY },
    );
  }
}

interface TreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
  size?: number;
}

function addFile(files: TreeFiles, prefix: string, entry: TreeEntry): void {
  const isFile =
    entry.type === "blob" || (entry.type === "commit" && entry.mode === SUBMODULE_MODE);
  if (isFile && entry.path && entry.mode && entry.sha) {
    files.set(prefix + entry.path, {
      mode: entry.mode,
      sha: entry.sha,
      ...(entry.size !== undefined && { size: entry.size }),
    });
  }
}

type BlobMode = "100644" | "100755" | "120000";

function asMode(mode: string): BlobMode {
  if (mode === "100644" || mode === "100755" || mode === "120000") return mode;
  throw new Error(`Not a file mode: ${mode}`);
}

/** How a message names a ref: `branch amelia/PROJ-7`, or the full name of any other ref. */
function refLabel(ref: string): string {
  return ref.startsWith("heads/") ? `branch ${ref.slice("heads/".length)}` : `ref refs/${ref}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** GitHub's own words for a failed request, without Octokit's documentation link. */
export function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  if (typeof data?.message === "string") return data.message;
  return errorMessage(error);
}
