import { parsePatch, type StructuredPatch, type StructuredPatchHunk } from "diff";
import { DIFF_ANSWER_BYTES, DIFF_FILE_BYTES, DIFF_FILE_LINES } from "../definitions/limits";
import type { DiffFile, DiffFileStatus, DiffHunk } from "./WorkflowDiff";

/**
 * The files of a unified git diff (`a/` and `b/` prefixes; renames, modes and binary files as
 * `git diff` prints them), whole: counts and every hunk line.
 */
export function parseGitDiff(text: string): DiffFile[] {
  return text.trim() === "" ? [] : parsePatch(text).map(fileOf);
}

function fileOf(patch: StructuredPatch): DiffFile {
  const oldPath = gitPath(patch.oldFileName, "a/");
  const newPath = gitPath(patch.newFileName, "b/");
  const status: DiffFileStatus = patch.isCreate
    ? "added"
    : patch.isDelete
      ? "deleted"
      : patch.isRename
        ? "renamed"
        : "modified";
  const hunks = patch.isBinary ? [] : patch.hunks.map(hunkOf);
  const count = (sign: string) =>
    hunks.reduce((sum, hunk) => sum + hunk.lines.filter((line) => line[0] === sign).length, 0);
  return {
    path: status === "deleted" ? oldPath : newPath,
    ...(status === "renamed" && { previousPath: oldPath }),
    status,
    additions: count("+"),
    deletions: count("-"),
    binary: patch.isBinary === true,
    ...(patch.oldMode !== undefined && { oldMode: patch.oldMode }),
    ...(patch.newMode !== undefined && { newMode: patch.newMode }),
    hunks,
  };
}

/** jsdiff counts an empty range's start from the line after; git from the line before. */
function hunkOf(hunk: StructuredPatchHunk): DiffHunk {
  return {
    oldStart: hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart,
    oldLines: hunk.oldLines,
    newStart: hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart,
    newLines: hunk.newLines,
    lines: hunk.lines,
  };
}

/** A file name as jsdiff reads it (unquoted already) without git's `a/` or `b/`. */
function gitPath(name: string | undefined, prefix: "a/" | "b/"): string {
  const path = name ?? "";
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/**
 * The files with their hunks cut to what one answer shows: at most DIFF_FILE_LINES lines and
 * DIFF_FILE_BYTES per file, DIFF_ANSWER_BYTES in all. Counts stay those of the whole file; a cut
 * file says how many of its lines are shown, and ends with the hunk it was cut in.
 */
export function limitDiff(files: readonly DiffFile[]): { files: DiffFile[]; truncated: boolean } {
  let answerBytes = 0;
  let truncated = false;
  const limited = files.map((file) => {
    const totalLines = file.hunks.reduce((sum, hunk) => sum + hunk.lines.length, 0);
    const hunks: DiffHunk[] = [];
    let shownLines = 0;
    let fileBytes = 0;
    cut: for (const hunk of file.hunks) {
      const lines: string[] = [];
      for (const line of hunk.lines) {
        const bytes = Buffer.byteLength(JSON.stringify(line)) + 1;
        if (
          shownLines >= DIFF_FILE_LINES ||
          fileBytes + bytes > DIFF_FILE_BYTES ||
          answerBytes + bytes > DIFF_ANSWER_BYTES
        ) {
          // Kept even with no lines: its header promises lines that do not follow, so a cut
          // diff printed as a patch never applies as if it were whole.
          hunks.push({ ...hunk, lines });
          break cut;
        }
        lines.push(line);
        shownLines += 1;
        fileBytes += bytes;
        answerBytes += bytes;
      }
      hunks.push({ ...hunk, lines });
    }
    if (shownLines === totalLines) return file;
    truncated = true;
    return { ...file, hunks, truncated: { shownLines, totalLines } };
  });
  return { files: limited, truncated };
}
