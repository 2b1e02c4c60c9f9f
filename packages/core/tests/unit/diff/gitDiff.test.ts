import { describe, expect, it } from "vitest";
import {
  DIFF_ANSWER_BYTES,
  DIFF_FILE_BYTES,
  DIFF_FILE_LINES,
} from "../../../src/definitions/limits";
import { limitDiff, parseGitDiff } from "../../../src/diff/gitDiff";
import type { DiffFile } from "../../../src/diff/WorkflowDiff";

const added = (path: string, lines: string[]): DiffFile => ({
  path,
  status: "added",
  additions: lines.length,
  deletions: 0,
  binary: false,
  hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: lines.length, lines }],
});

describe("limitDiff", () => {
  it("leaves a diff that fits as it is", () => {
    const files = [added("a.txt", ["+one", "+two"])];
    expect(limitDiff(files)).toEqual({ files, truncated: false });
  });

  it("shows none of a line longer than a file's share, and keeps the file's counts", () => {
    const line = `+${"x".repeat(DIFF_FILE_BYTES)}`;
    const { files, truncated } = limitDiff([added("min.js", [line]), added("b.txt", ["+b"])]);
    expect(truncated).toBe(true);
    expect(files[0]).toMatchObject({
      additions: 1,
      hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: [] }],
      truncated: { shownLines: 0, totalLines: 1 },
    });
    expect(files[1]?.truncated).toBeUndefined();
  });

  it("keeps the hunk a cut falls before, with no lines, so its header shows the cut", () => {
    const first = Array<string>(DIFF_FILE_LINES).fill("+a");
    const file: DiffFile = {
      ...added("two.txt", first),
      status: "modified",
      additions: DIFF_FILE_LINES + 1,
      hunks: [
        { oldStart: 1, oldLines: 0, newStart: 2, newLines: DIFF_FILE_LINES, lines: first },
        { oldStart: 90, oldLines: 1, newStart: 5100, newLines: 2, lines: [" x", "+y"] },
      ],
    };
    const [cut] = limitDiff([file]).files;
    expect(cut?.hunks[0]?.lines).toHaveLength(DIFF_FILE_LINES);
    expect(cut?.hunks[1]).toEqual({ ...file.hunks[1], lines: [] });
    expect(cut?.truncated).toEqual({
      shownLines: DIFF_FILE_LINES,
      totalLines: DIFF_FILE_LINES + 2,
    });
  });

  it("stops showing lines once the answer holds DIFF_ANSWER_BYTES, listing the rest", () => {
    // Each file just under its own share, so only the answer's limit cuts.
    const line = `+${"y".repeat(1000)}`;
    const perFile = Math.floor(DIFF_FILE_BYTES / (line.length + 3)) - 1;
    const count = Math.ceil(DIFF_ANSWER_BYTES / (perFile * (line.length + 3))) + 2;
    const files = Array.from({ length: count }, (_, i) =>
      added(`f${i}.txt`, Array(perFile).fill(line)),
    );
    const limited = limitDiff(files);
    expect(limited.truncated).toBe(true);
    const shown = limited.files.reduce(
      (sum, f) => sum + (f.truncated?.shownLines ?? f.hunks[0]!.lines.length),
      0,
    );
    expect(shown * (line.length + 3)).toBeLessThanOrEqual(DIFF_ANSWER_BYTES);
    expect(limited.files[0]?.truncated).toBeUndefined();
    expect(limited.files.at(-1)).toMatchObject({
      path: `f${count - 1}.txt`,
      additions: perFile,
      hunks: [{ newStart: 1, newLines: perFile, lines: [] }],
      truncated: { shownLines: 0, totalLines: perFile },
    });
  });
});

describe("parseGitDiff", () => {
  it("reads nothing from an empty diff", () => {
    expect(parseGitDiff("")).toEqual([]);
  });

  it("reads an exact rename without hunks, and a C-quoted name", () => {
    const files = parseGitDiff(
      "diff --git a/a.txt b/b.txt\nsimilarity index 100%\nrename from a.txt\nrename to b.txt\n" +
        'diff --git "a/tab\\there.txt" "b/tab\\there.txt"\nnew file mode 100644\n--- /dev/null\n' +
        '+++ "b/tab\\there.txt"\n@@ -0,0 +1 @@\n+x\n',
    );
    expect(files).toEqual([
      {
        path: "b.txt",
        previousPath: "a.txt",
        status: "renamed",
        additions: 0,
        deletions: 0,
        binary: false,
        hunks: [],
      },
      expect.objectContaining({ path: "tab\there.txt", status: "added", additions: 1 }),
    ]);
  });
});
