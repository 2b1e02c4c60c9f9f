/**
 * `GET /api/workflows/{id}/diff`: what one developer round changed, against the workflow's base
 * commit, as `git diff <base> <commit>` would show it.
 */
export interface WorkflowDiff {
  workflowId: string;
  /** The developer round shown. */
  round: number;
  /** Every developer round that finished, oldest first: what `?round=` accepts. */
  rounds: number[];
  /** Where the workflow's branch started. */
  baseCommit: string;
  /** The round's commit (the latest commit before it when the round changed nothing). */
  commit: string;
  files: DiffFile[];
  /** Over every file, whether or not its lines are shown. */
  totals: { files: number; additions: number; deletions: number };
  /** Some file's lines were cut (see its `truncated`). */
  truncated: boolean;
  /** On GitHub: the round's commit, the whole comparison, and the pull request's files once open. */
  links?: DiffLinks;
}

export interface DiffLinks {
  commit?: string;
  compare?: string;
  pullRequestFiles?: string;
}

export type DiffFileStatus = "added" | "modified" | "deleted" | "renamed";

export interface DiffFile {
  /** The path after the change; a deleted file's path before it. */
  path: string;
  /** A renamed file's path before the change. */
  previousPath?: string;
  status: DiffFileStatus;
  /** Lines added and removed in the whole file, also when `hunks` are cut. */
  additions: number;
  deletions: number;
  /** Listed, never printed: `hunks` is empty. */
  binary: boolean;
  /** git's file modes (`100644`, `100755`, `120000`): of a created or deleted file, or a change. */
  oldMode?: string;
  newMode?: string;
  hunks: DiffHunk[];
  /**
   * Present when the file's diff was cut: `shownLines` of its `totalLines` hunk lines are in
   * `hunks`; the last hunk may end early, its header keeping the whole hunk's counts.
   */
  truncated?: { shownLines: number; totalLines: number };
}

/**
 * A hunk as git prints it: starts and counts as in its `@@ -oldStart,oldLines +newStart,newLines @@`
 * header (a start is the line before, 0 at the top, when its count is 0), and its lines with their
 * first character: ` ` context, `+` added, `-` removed, `\` "No newline at end of file".
 */
export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}
