export interface AddedLine {
  /** The file's path in the new tree. */
  path: string;
  /** 1-based line number in the new file. */
  line: number;
  text: string;
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** The lines a unified git diff (with `a/` and `b/` prefixes) adds, with where they land. */
export function addedLines(diff: string): AddedLine[] {
  const added: AddedLine[] = [];
  let path = "";
  let line = 0;
  let inHunk = false;
  for (const row of diff.split("\n")) {
    if (row.startsWith("diff --git ")) {
      inHunk = false;
      continue;
    }
    const hunk = HUNK_HEADER.exec(row);
    if (hunk) {
      line = Number(hunk[1]);
      inHunk = true;
    } else if (!inHunk) {
      // File headers only come before the first hunk, so a "+++" line there is never content.
      if (row.startsWith("+++ ")) path = newPath(row.slice(4));
    } else if (row.startsWith("+")) {
      added.push({ path, line, text: row.slice(1) });
      line += 1;
    } else if (row.startsWith(" ")) {
      line += 1;
    }
  }
  return added;
}

function newPath(header: string): string {
  let path = header.replace(/\t.*$/, "");
  if (path.startsWith('"')) {
    // git C-quotes unusual names; JSON reads the common escapes.
    try {
      path = JSON.parse(path) as string;
    } catch {
      path = path.slice(1, -1);
    }
  }
  return path.startsWith("b/") ? path.slice(2) : path;
}
