import type { DiffFile, DiffHunk, WorkflowDiff } from "./types";

/**
 * The diff as `git diff` prints it (without `index` and `similarity` lines, and without the
 * function line after a hunk's header), so that it applies with `git apply`
 * on the base commit. A binary file gets git's "Binary files … differ" line, which `git apply`
 * refuses, as it refuses `git diff`'s; a cut file ends in a marker line, so a cut diff never
 * applies as if it were whole.
 */
export function formatDiff(diff: Pick<WorkflowDiff, "files">): string {
  return diff.files.map(formatFileDiff).join("");
}

export function formatFileDiff(file: DiffFile): string {
  const oldPath = file.previousPath ?? file.path;
  const oldName = file.status === "added" ? "/dev/null" : `a/${oldPath}`;
  const newName = file.status === "deleted" ? "/dev/null" : `b/${file.path}`;
  const lines = [`diff --git a/${oldPath} b/${file.path}`];
  if (file.status === "added") lines.push(`new file mode ${file.newMode ?? "100644"}`);
  else if (file.status === "deleted") lines.push(`deleted file mode ${file.oldMode ?? "100644"}`);
  else if (
    file.oldMode !== undefined &&
    file.newMode !== undefined &&
    file.oldMode !== file.newMode
  ) {
    lines.push(`old mode ${file.oldMode}`, `new mode ${file.newMode}`);
  }
  if (file.status === "renamed") lines.push(`rename from ${oldPath}`, `rename to ${file.path}`);
  if (file.binary) {
    lines.push(`Binary files ${oldName} and ${newName} differ`);
  } else if (file.hunks.length > 0 || file.truncated) {
    // A file cut before its first line still says so.
    lines.push(`--- ${oldName}`, `+++ ${newName}`);
    for (const hunk of file.hunks) lines.push(hunkHeader(hunk), ...hunk.lines);
    if (file.truncated) lines.push(cutMarker(file.truncated));
  }
  return `${lines.join("\n")}\n`;
}

/** `@@ -3 +3,2 @@`: git leaves out a count of one. */
export function hunkHeader(hunk: DiffHunk): string {
  const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
  return `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`;
}

/** Starts with none of a hunk line's characters, so `git apply` stops at it. */
export function cutMarker({ shownLines, totalLines }: NonNullable<DiffFile["truncated"]>): string {
  return `[cut: ${shownLines} of ${totalLines} lines of this file's diff are shown]`;
}

/** `path:line` at the start of a review comment (the form the reviewer is asked for). */
const LOCATION = /^\s*`?([^\s`:]+):(\d+)(?:[-–]\d+)?`?/;

/** The file and line a review comment starts by naming, e.g. "src/app.ts:12 — check for null". */
export function reviewCommentLocation(comment: string): { path: string; line: number } | undefined {
  const match = LOCATION.exec(comment);
  if (!match?.[1] || !match[2]) return undefined;
  const line = Number(match[2]);
  return line > 0 ? { path: match[1], line } : undefined;
}
