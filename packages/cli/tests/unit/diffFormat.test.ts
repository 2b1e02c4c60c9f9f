import { stripVTControlCharacters } from "node:util";
import { formatDiff, type DiffFile, type WorkflowDiff } from "@amelia/client";
import picocolors from "picocolors";
import { describe, expect, it } from "vitest";
import {
  changesSummary,
  colouredDiff,
  diffStat,
  incompleteFiles,
  totalsLine,
} from "../../src/diffFormat";

const plain = picocolors.createColors(false);
const coloured = picocolors.createColors(true);

function file(overrides: Partial<DiffFile> & Pick<DiffFile, "path" | "status">): DiffFile {
  return { additions: 0, deletions: 0, binary: false, hunks: [], ...overrides };
}

const MODIFIED = file({
  path: "src/app.ts",
  status: "modified",
  additions: 2,
  deletions: 1,
  hunks: [
    {
      oldStart: 1,
      oldLines: 2,
      newStart: 1,
      newLines: 3,
      lines: [" keep", "-old", "+new", "+--- not a header", "\\ No newline at end of file"],
    },
  ],
});
const ADDED = file({
  path: "docs/notes.md",
  status: "added",
  additions: 1,
  newMode: "100644",
  hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: ["+# Notes"] }],
});
const RENAMED = file({ path: "lib/b.ts", previousPath: "lib/a.ts", status: "renamed" });
const BINARY = file({ path: "logo.png", status: "added", binary: true });
const CUT = file({
  path: "big.txt",
  status: "added",
  additions: 20_000,
  hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 20_000, lines: ["+1", "+2"] }],
  truncated: { shownLines: 2, totalLines: 20_000 },
});

function diffOf(files: DiffFile[]): WorkflowDiff {
  return {
    workflowId: "wf-1",
    round: 2,
    rounds: [1, 2],
    baseCommit: "a".repeat(40),
    commit: "b".repeat(40),
    files,
    totals: {
      files: files.length,
      additions: files.reduce((sum, f) => sum + f.additions, 0),
      deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    },
    truncated: files.some((f) => f.truncated),
  };
}

describe("colouredDiff", () => {
  const all = diffOf([MODIFIED, ADDED, RENAMED, BINARY, CUT]);

  it("is formatDiff's text exactly when colours are off, so it applies", () => {
    expect(colouredDiff(all, plain)).toBe(formatDiff(all));
  });

  it("only adds colours: without them it is formatDiff's text", () => {
    expect(stripVTControlCharacters(colouredDiff(all, coloured))).toBe(formatDiff(all));
  });

  it("paints file headers bold, hunk headers cyan, added lines green and removed lines red", () => {
    const lines = colouredDiff(diffOf([MODIFIED]), coloured).split("\n");
    expect(lines).toEqual([
      coloured.bold("diff --git a/src/app.ts b/src/app.ts"),
      coloured.bold("--- a/src/app.ts"),
      coloured.bold("+++ b/src/app.ts"),
      coloured.cyan("@@ -1,2 +1,3 @@"),
      " keep",
      coloured.red("-old"),
      coloured.green("+new"),
      // Inside a hunk, a line that looks like a header is still an added line.
      coloured.green("+--- not a header"),
      coloured.dim("\\ No newline at end of file"),
      "",
    ]);
  });

  it("paints the cut marker as a warning, and a binary file's line as a header", () => {
    const cut = colouredDiff(diffOf([CUT]), coloured).split("\n");
    expect(cut.at(-2)).toBe(
      coloured.yellow("[cut: 2 of 20000 lines of this file's diff are shown]"),
    );
    const binary = colouredDiff(diffOf([BINARY]), coloured).split("\n");
    expect(binary.at(-2)).toBe(coloured.bold("Binary files /dev/null and b/logo.png differ"));
  });
});

describe("diffStat", () => {
  it("lists each file's status, path and lines changed with a bar, then git's totals line", () => {
    expect(diffStat(diffOf([MODIFIED, ADDED, RENAMED, BINARY]), plain).split("\n")).toEqual([
      " modified  src/app.ts          |   3 ++-",
      " added     docs/notes.md       |   1 +",
      " renamed   lib/a.ts → lib/b.ts |   0",
      " added     logo.png            | Bin",
      " 4 files changed, 3 insertions(+), 1 deletion(-)",
    ]);
  });

  it("scales a large change's bar to 40 marks, keeping at least one for each side", () => {
    const big = file({ path: "big.txt", status: "modified", additions: 400, deletions: 1 });
    const small = file({ path: "small.txt", status: "modified", additions: 1 });
    const [bigLine, smallLine] = diffStat(diffOf([big, small]), plain).split("\n");
    expect(bigLine).toBe(` modified  big.txt   | 401 ${"+".repeat(40)}-`);
    expect(smallLine).toBe(" modified  small.txt |   1 +");
  });

  it("colours the bar: additions green, deletions red", () => {
    const text = diffStat(diffOf([MODIFIED]), coloured);
    expect(text).toContain(`${coloured.green("++")}${coloured.red("-")}`);
  });

  it("is only the totals line when nothing changed", () => {
    expect(diffStat(diffOf([]), plain)).toBe(" 0 files changed, 0 insertions(+), 0 deletions(-)");
  });
});

describe("totalsLine", () => {
  it("says one file, insertion, deletion in the singular, as git does", () => {
    expect(totalsLine({ files: 1, additions: 1, deletions: 1 })).toBe(
      "1 file changed, 1 insertion(+), 1 deletion(-)",
    );
    expect(totalsLine({ files: 3, additions: 120, deletions: 4 })).toBe(
      "3 files changed, 120 insertions(+), 4 deletions(-)",
    );
  });
});

describe("changesSummary", () => {
  it("gives the round's files and lines", () => {
    const diff = { round: 2, totals: { files: 3, additions: 120, deletions: 4 } };
    expect(changesSummary(diff, plain)).toBe("3 files, +120 −4 (round 2)");
    expect(changesSummary(diff, coloured)).toContain(coloured.green("+120"));
    expect(changesSummary(diff, coloured)).toContain(coloured.red("−4"));
  });
});

describe("incompleteFiles", () => {
  it("names the binary files and the cut files", () => {
    expect(incompleteFiles(diffOf([MODIFIED, BINARY, CUT]))).toEqual({
      binary: ["logo.png"],
      cut: ["big.txt"],
    });
    expect(incompleteFiles(diffOf([MODIFIED]))).toEqual({ binary: [], cut: [] });
  });
});
