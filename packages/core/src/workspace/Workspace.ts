/**
 * The git work tree an agent works in. Every path is relative to `root`, uses `/`, and is
 * confined to the work tree: absolute paths, `..`, `.git` and symlinks resolving outside are
 * refused with a `PathOutsideWorkspaceError`.
 */
export interface Workspace {
  /** Absolute real path of the work tree. */
  readonly root: string;
  readonly branch: string;
  /** Where the branch started: `diff()` is measured against it. */
  readonly baseCommit: string;

  /** Tracked and untracked (not ignored) files, sorted. */
  listFiles(): Promise<string[]>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string): Promise<"created" | "modified">;
  /** Deletes a file; false when there was none. */
  deleteFile(path: string): Promise<boolean>;
  /** Unified diff of all work, committed or not, against `baseCommit`. */
  diff(): Promise<string>;
  /** Commits everything; the new commit's sha, or undefined when nothing changed. */
  commit(message: string): Promise<string | undefined>;
}

export interface OpenWorkspaceRequest {
  workflowId: string;
  issueId: string;
  /** A local git work tree; without one the workflow gets a scratch repository. */
  repository?: string;
  branch: string;
}

/** Prepares and reopens workspaces; `open` is idempotent, also across process restarts. */
export interface WorkspaceProvider {
  /**
   * The repository's canonical form (one spelling per repository, for the conflict rule), or a
   * `ValidationError` on field `repository` unless it is a usable git work tree.
   */
  resolveRepository(repository?: string): Promise<string | undefined>;
  open(request: OpenWorkspaceRequest): Promise<Workspace>;
}
