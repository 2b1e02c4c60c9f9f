import { formatFileDiff, type DiffFile, type WorkflowDiff } from "@amelia/client";
import type { Colors } from "picocolors/types";

/** The widest `+++--` bar of `--stat`: larger changes are scaled down to it, as git does. */
const STAT_BAR_WIDTH = 40;

/**
 * `formatDiff`'s text with git's colours: bold file headers, cyan hunk headers, green added and
 * red removed lines. With colours off it is `formatDiff`'s text exactly, so it applies.
 */
export function colouredDiff(diff: Pick<WorkflowDiff, "files">, c: Colors): string {
  return diff.files.map((file) => colouredFileDiff(file, c)).join("");
}

function colouredFileDiff(file: DiffFile, c: Colors): string {
  // Every hunk line starts with ' ', '+', '-' or '\', so a line starting with "@@" is always a
  // hunk header, and the lines before the first one are the file's header.
  let inHunks = false;
  return formatFileDiff(file)
    .split("\n")
    .map((line) => {
      if (line.startsWith("@@")) {
        inHunks = true;
        return c.cyan(line);
      }
      if (!inHunks) return line === "" ? line : c.bold(line);
      if (line.startsWith("+")) return c.green(line);
      if (line.startsWith("-")) return c.red(line);
      if (line.startsWith("\\")) return c.dim(line);
      // The cut marker: the file's diff goes on beyond what is shown.
      if (line.startsWith("[")) return c.yellow(line);
      return line;
    })
    .join("\n");
}

/**
 * git's `--stat` with each file's status: one line per file (status, path, lines changed and a
 * bar of `+` and `-`), then the totals line.
 */
export function diffStat(diff: Pick<WorkflowDiff, "files" | "totals">, c: Colors): string {
  const rows = diff.files.map((file) => ({
    status: file.status,
    path: file.previousPath ? `${file.previousPath} → ${file.path}` : file.path,
    count: file.binary ? "Bin" : String(file.additions + file.deletions),
    file,
  }));
  const statusWidth = Math.max(0, ...rows.map((row) => row.status.length));
  const pathWidth = Math.max(0, ...rows.map((row) => row.path.length));
  const countWidth = Math.max(0, ...rows.map((row) => row.count.length));
  const largest = Math.max(0, ...diff.files.map((file) => file.additions + file.deletions));
  const scale = largest > STAT_BAR_WIDTH ? STAT_BAR_WIDTH / largest : 1;
  const lines = rows.map(({ status, path, count, file }) => {
    const bar = file.binary
      ? ""
      : c.green("+".repeat(scaled(file.additions, scale))) +
        c.red("-".repeat(scaled(file.deletions, scale)));
    const line = ` ${status.padEnd(statusWidth)}  ${path.padEnd(pathWidth)} | ${count.padStart(countWidth)} ${bar}`;
    return line.trimEnd();
  });
  return [...lines, ` ${totalsLine(diff.totals)}`].join("\n");
}

/** A scaled bar keeps at least one mark for a file that changed at all. */
function scaled(count: number, scale: number): number {
  return count === 0 ? 0 : Math.max(1, Math.round(count * scale));
}

/** git's totals line: "3 files changed, 120 insertions(+), 4 deletions(-)". */
export function totalsLine(totals: WorkflowDiff["totals"]): string {
  return [
    plural(totals.files, "file", "files") + " changed",
    plural(totals.additions, "insertion", "insertions") + "(+)",
    plural(totals.deletions, "deletion", "deletions") + "(-)",
  ].join(", ");
}

/** The round's totals for `status <id>`: "3 files, +120 −4 (round 2)". */
export function changesSummary(diff: Pick<WorkflowDiff, "round" | "totals">, c: Colors): string {
  const { files, additions, deletions } = diff.totals;
  return (
    `${plural(files, "file", "files")}, ${c.green(`+${additions}`)} ${c.red(`−${deletions}`)}` +
    ` (round ${diff.round})`
  );
}

/** What `git apply` cannot apply whole: the binary files and the files whose diff was cut. */
export function incompleteFiles(diff: Pick<WorkflowDiff, "files">): {
  binary: string[];
  cut: string[];
} {
  return {
    binary: diff.files.filter((file) => file.binary).map((file) => file.path),
    cut: diff.files.filter((file) => file.truncated).map((file) => file.path),
  };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
