import type { DiffFile, DiffFileStatus, DiffHunk } from "@amelia/client";
import type { ChangeData, DiffType, HunkData } from "react-diff-view";
import { hunkHeader } from "@amelia/client";

/** react-diff-view's name for each of our file statuses. */
export const DIFF_TYPES: Record<DiffFileStatus, DiffType> = {
  added: "add",
  deleted: "delete",
  modified: "modify",
  renamed: "rename",
};

/**
 * A file's hunks as react-diff-view renders them, numbered the way git numbers them; the
 * "No newline at end of file" lines (`\`) are git's remarks on the line before, not lines.
 */
export function toHunkData(file: Pick<DiffFile, "hunks">): HunkData[] {
  return file.hunks.map(toHunk);
}

function toHunk(hunk: DiffHunk): HunkData {
  let oldLine = hunk.oldStart;
  let newLine = hunk.newStart;
  const changes: ChangeData[] = [];
  for (const line of hunk.lines) {
    const content = line.slice(1);
    switch (line[0]) {
      case "+":
        changes.push({ type: "insert", isInsert: true, lineNumber: newLine++, content });
        break;
      case "-":
        changes.push({ type: "delete", isDelete: true, lineNumber: oldLine++, content });
        break;
      case " ":
        changes.push({
          type: "normal",
          isNormal: true,
          oldLineNumber: oldLine++,
          newLineNumber: newLine++,
          content,
        });
        break;
    }
  }
  const { oldStart, oldLines, newStart, newLines } = hunk;
  return { content: hunkHeader(hunk), oldStart, oldLines, newStart, newLines, changes };
}
