import { formatPatch, structuredPatch, type StructuredPatchHunk } from "diff";

/** One side of a file's change. */
export interface DiffSide {
  mode: string;
  content: Buffer;
}

const CONTEXT_LINES = 3;
/** git calls a file binary when its first 8000 bytes hold a NUL. */
const BINARY_PROBE_BYTES = 8000;
/** git's default "function" line for a hunk header: one starting with a letter, `_` or `$`. */
const FUNCTION_LINE = /^[A-Za-z_$]/;
const MAX_FUNCTION_LENGTH = 80;

/**
 * One file's change as `git diff` prints it (`diff --git a/… b/…`, mode lines, hunks with three
 * lines of context and git's function line), without git's `index` line of abbreviated object
 * ids. `before` is absent for a created file, `after` for a deleted one.
 */
export function fileDiff(path: string, before?: DiffSide, after?: DiffSide): string {
  const oldName = before ? `a/${path}` : "/dev/null";
  const newName = after ? `b/${path}` : "/dev/null";
  const binary = isBinary(before?.content) || isBinary(after?.content);
  const oldText = binary ? "" : (before?.content.toString("utf8") ?? "");
  const patch = structuredPatch(
    oldName,
    newName,
    oldText,
    binary ? "" : (after?.content.toString("utf8") ?? ""),
    undefined,
    undefined,
    { context: CONTEXT_LINES },
  );
  const modeChanged = before !== undefined && after !== undefined && before.mode !== after.mode;
  const formatted = formatPatch({
    ...patch,
    isGit: true,
    isCreate: before === undefined,
    isDelete: after === undefined,
    ...((after === undefined || modeChanged) && { oldMode: before?.mode }),
    ...((before === undefined || modeChanged) && { newMode: after?.mode }),
  });
  if (binary) return `${formatted}Binary files ${oldName} and ${newName} differ\n`;
  // Only hunk headers start with "@@": content lines start with " ", "+", "-" or "\".
  const oldLines = oldText.split("\n");
  const hunks = patch.hunks.values();
  return formatted.replace(/^@@ .*$/gm, () => hunkHeader(hunks.next().value, oldLines));
}

/** `@@ -3 +3,2 @@ function line`: git leaves out a range's length when it is one line. */
function hunkHeader(hunk: StructuredPatchHunk | undefined, oldLines: readonly string[]): string {
  if (!hunk) throw new Error("More hunk headers than hunks");
  const range = (start: number, count: number) =>
    count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
  const header = `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`;
  const above = oldLines.slice(0, Math.max(0, hunk.oldStart - 1));
  const functionLine = above.findLast((line) => FUNCTION_LINE.test(line));
  return functionLine === undefined
    ? header
    : `${header} ${functionLine.slice(0, MAX_FUNCTION_LENGTH).trimEnd()}`;
}

function isBinary(content: Buffer | undefined): boolean {
  return content !== undefined && content.subarray(0, BINARY_PROBE_BYTES).includes(0);
}
