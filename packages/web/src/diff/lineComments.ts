import { reviewCommentLocation } from "@amelia/client";
import { getChangeKey, type HunkData } from "react-diff-view";

/** The review comments about one file: at a line of its diff, or about a line the diff does not show. */
export interface FileComments {
  /** By react-diff-view change key, in the order the reviewer wrote them. */
  atChange: Map<string, string[]>;
  elsewhere: { line: number; comment: string }[];
}

/**
 * Places each comment that starts with `path:line` at that line of the new version of the file
 * (an added or unchanged line of its hunks); comments that name no file, or a file the diff does
 * not have, are not placed (the review lists every comment).
 */
export function placeComments(
  comments: readonly string[],
  hunksOf: (path: string) => HunkData[] | undefined,
): Map<string, FileComments> {
  const placed = new Map<string, FileComments>();
  for (const comment of comments) {
    const location = reviewCommentLocation(comment);
    const hunks = location && hunksOf(location.path);
    if (!location || !hunks) continue;
    const file: FileComments = placed.get(location.path) ?? { atChange: new Map(), elsewhere: [] };
    placed.set(location.path, file);
    const change = changeAtNewLine(hunks, location.line);
    if (change === undefined) {
      file.elsewhere.push({ line: location.line, comment });
      continue;
    }
    const key = getChangeKey(change);
    file.atChange.set(key, [...(file.atChange.get(key) ?? []), comment]);
  }
  return placed;
}

function changeAtNewLine(hunks: HunkData[], line: number) {
  for (const hunk of hunks) {
    for (const change of hunk.changes) {
      const newLine =
        change.type === "insert"
          ? change.lineNumber
          : change.type === "normal"
            ? change.newLineNumber
            : undefined;
      if (newLine === line) return change;
    }
  }
  return undefined;
}
