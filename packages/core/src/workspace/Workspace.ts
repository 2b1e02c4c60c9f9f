import type { Workflow } from "../workflow/Workflow";

/**
 * The git work tree an agent works in. Every path is relative to `root`, uses `/`, and is
 * confined to the work tree: absolute paths, `..`, `.git` and symlinks resolving outside are
 * refused with a `PathOutsideWorkspaceError`.
 */
export interface Workspace {
  /** Where the work tree is: its absolute real path, or the branch's web address on GitHub. */
  readonly root: string;
  readonly branch: string;
  /** Where the branch started: `diff()` is measured against it. */
  readonly baseCommit: string;

  /** Tracked and untracked (not ignored) files, sorted. */
  listFiles(): Promise<string[]>;
  /** A whole text file; a binary one (NUL bytes, or not UTF-8) is refused. */
  readFile(path: string): Promise<string>;
  /**
   * At most `length` bytes of a file from byte `position`, and the file's size in bytes, reading
   * nothing past them (`length` 0 asks only the size). The bytes are not decoded.
   */
  readBytes(path: string, position: number, length: number): Promise<FileBytes>;
  writeFile(path: string, content: string): Promise<"created" | "modified">;
  /** Deletes a file; false when there was none. */
  deleteFile(path: string): Promise<boolean>;
  /** Unified diff of all work, committed or not, against `baseCommit`. */
  diff(): Promise<string>;
  /** Commits everything; the new commit's sha, or undefined when nothing changed. */
  commit(message: string): Promise<string | undefined>;
  /**
   * The changes made since the last commit that exist nowhere but in this process (on GitHub
   * they wait in memory for `commit`); none where every write reaches the disk at once.
   */
  pendingChanges(): Promise<FileChange[]>;
  /** Makes `pendingChanges` of an earlier invocation, which never committed them, again. */
  applyChanges(changes: readonly FileChange[]): Promise<void>;
}

/** Part of a file, how big the whole is, and whether it may be run (a script). */
export interface FileBytes {
  bytes: Buffer;
  size: number;
  executable: boolean;
}

/** A file's new content, or its deletion. */
export type FileChange = { path: string; content: string } | { path: string; deleted: true };

/** Applies changes through a workspace's own writes and deletes. */
export async function applyFileChanges(
  workspace: Pick<Workspace, "writeFile" | "deleteFile">,
  changes: readonly FileChange[],
): Promise<void> {
  for (const change of changes) {
    if ("deleted" in change) await workspace.deleteFile(change.path);
    else await workspace.writeFile(change.path, change.content);
  }
}

export interface OpenWorkspaceRequest {
  workflowId: string;
  issueId: string;
  /**
   * The repository in its canonical form: a local git work tree, or `owner/name` on GitHub.
   * Without one the workflow gets a local scratch repository.
   */
  repository?: string;
  branch: string;
}

/** Prepares and reopens workspaces; `open` is idempotent, also across process restarts. */
export interface WorkspaceProvider {
  /**
   * The repository's canonical form (one spelling per repository, for the conflict rule), or a
   * `ValidationError` on field `repository` unless it is a usable repository.
   */
  resolveRepository(repository?: string): Promise<string | undefined>;
  open(request: OpenWorkspaceRequest): Promise<Workspace>;
  /**
   * Offers a completed workflow's branch for merging (on GitHub: opens a pull request, or finds
   * the one already open). Idempotent. Absent where the work simply stays on the branch.
   */
  publish?(workflow: PublishRequest): Promise<Publication>;
  /** What a workflow's commit changed against its base commit; reads, never writes. */
  changes(request: ChangesRequest): Promise<Changes>;
}

export interface ChangesRequest {
  workflowId: string;
  /** As the workflow stores it (canonical), or undefined for its scratch repository. */
  repository?: string;
  baseCommit: string;
  commit: string;
}

export interface Changes {
  /** `git diff --find-renames <baseCommit> <commit>` with `a/` and `b/` prefixes. */
  diff: string;
  /** Where the commit and the comparison are on the web (on GitHub). */
  commitUrl?: string;
  compareUrl?: string;
}

/** What publishing a workflow's work reads from it. */
export type PublishRequest = Pick<
  Workflow,
  "id" | "issueId" | "title" | "repository" | "branch" | "plan" | "review" | "iteration" | "checks"
>;

export interface Publication {
  /** The pull request's web address; absent when there was nothing to propose. */
  pullRequestUrl?: string;
}
