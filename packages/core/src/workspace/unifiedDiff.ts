import { formatPatch, structuredPatch } from "diff";

/** One side of a file's change. */
export interface DiffSide {
  mode: string;
  content: Buffer;
}

const CONTEXT_LINES = 3;
/** git calls a file binary when its first 8000 bytes hold a NUL. */
const BINARY_PROBE_BYTES = 8000;

/**
 * One file's change as `git diff` prints it (`diff --git a/… b/…`, mode lines, hunks with three
 * lines of context), without git's `index` line of abbreviated object ids. `before` is absent
 * for a created file, `after` for a deleted one.
 */
export function fileDiff(path: string, before?: DiffSide, after?: DiffSide): string {
  const oldName = before ? `a/${path}` : "/dev/null";
  const newName = after ? `b/${path}` : "/dev/null";
  const binary = isBinary(before?.content) || isBinary(after?.content);
  const patch = structuredPatch(
    oldName,
    newName,
    binary ? "" : (before?.content.toString("utf8") ?? ""),
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
  })
    // git leaves out a range's length when it is one line: `@@ -3 +3,2 @@`.
    .replace(/^@@ -(\d+),1 /gm, "@@ -$1 ")
    .replace(/^(@@ -\S+ \+\d+),1 @@/gm, "$1 @@");
  return binary ? `${formatted}Binary files ${oldName} and ${newName} differ\n` : formatted;
}

function isBinary(content: Buffer | undefined): boolean {
  return content !== undefined && content.subarray(0, BINARY_PROBE_BYTES).includes(0);
}
