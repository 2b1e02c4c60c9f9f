import type { DiffFile, WorkflowEvent } from "@amelia/client";
import { describe, expect, it } from "vitest";
import { filesToOpen } from "../src/diff/files";
import { toHunkData } from "../src/diff/hunks";
import { placeComments } from "../src/diff/lineComments";
import { changeRounds } from "../src/diff/rounds";

const file = (path: string, lines: string[], more: Partial<DiffFile> = {}): DiffFile => ({
  path,
  status: "modified",
  additions: lines.filter((line) => line.startsWith("+")).length,
  deletions: lines.filter((line) => line.startsWith("-")).length,
  binary: false,
  hunks: [{ oldStart: 1, oldLines: lines.length, newStart: 1, newLines: lines.length, lines }],
  ...more,
});

describe("toHunkData", () => {
  it("numbers each line as git does: context on both sides, removed on the old, added on the new", () => {
    const [hunk] = toHunkData({
      hunks: [
        {
          oldStart: 10,
          oldLines: 3,
          newStart: 12,
          newLines: 3,
          lines: [" keep", "-old", "+new", "+added", " last", "\\ No newline at end of file"],
        },
      ],
    });
    expect(hunk).toMatchObject({ content: "@@ -10,3 +12,3 @@", oldStart: 10, newStart: 12 });
    expect(hunk!.changes).toEqual([
      { type: "normal", isNormal: true, oldLineNumber: 10, newLineNumber: 12, content: "keep" },
      { type: "delete", isDelete: true, lineNumber: 11, content: "old" },
      { type: "insert", isInsert: true, lineNumber: 13, content: "new" },
      { type: "insert", isInsert: true, lineNumber: 14, content: "added" },
      { type: "normal", isNormal: true, oldLineNumber: 12, newLineNumber: 15, content: "last" },
    ]);
  });

  it("starts a new file's lines at 1, with git's one-line header", () => {
    const [hunk] = toHunkData({
      hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: ["+only"] }],
    });
    expect(hunk!.content).toBe("@@ -0,0 +1 @@");
    expect(hunk!.changes).toEqual([
      { type: "insert", isInsert: true, lineNumber: 1, content: "only" },
    ]);
  });
});

describe("placeComments", () => {
  const hunks = toHunkData(file("src/a.ts", [" one", "-two", "+TWO", "+three"]));
  const hunksOf = (path: string) => (path === "src/a.ts" ? hunks : undefined);

  it("puts a path:line comment at that line of the new file, by react-diff-view's change key", () => {
    const placed = placeComments(
      [
        "src/a.ts:2 — resolve this TODO: TWO",
        "src/a.ts:2 — and name it better",
        "`src/a.ts:1` — fine as it is",
      ],
      hunksOf,
    );
    expect([...placed.keys()]).toEqual(["src/a.ts"]);
    expect(placed.get("src/a.ts")!.atChange).toEqual(
      new Map([
        ["I2", ["src/a.ts:2 — resolve this TODO: TWO", "src/a.ts:2 — and name it better"]],
        ["N1", ["`src/a.ts:1` — fine as it is"]],
      ]),
    );
  });

  it("keeps a comment on a line the hunks do not show with its file, and skips what names no file of the diff", () => {
    const placed = placeComments(
      ["src/a.ts:40 — far below", "src/other.ts:1 — not changed", "Overall: fine"],
      hunksOf,
    );
    expect([...placed.keys()]).toEqual(["src/a.ts"]);
    expect(placed.get("src/a.ts")).toEqual({
      atChange: new Map(),
      elsewhere: [{ line: 40, comment: "src/a.ts:40 — far below" }],
    });
  });
});

describe("filesToOpen", () => {
  it("opens the first three files short enough to render at once, never a binary one", () => {
    const long = Array.from({ length: 401 }, (_, index) => `+line ${index}`);
    const files = [
      file("image.png", [], { binary: true, hunks: [] }),
      file("big.ts", long),
      file("a.ts", ["+a"]),
      file("b.ts", ["+b"]),
      file("c.ts", ["+c"]),
      file("d.ts", ["+d"]),
    ];
    expect(filesToOpen(files)).toEqual(["a.ts", "b.ts", "c.ts"]);
  });
});

describe("changeRounds", () => {
  let sequence = 0;
  const event = (type: string, agent: string, data: object) =>
    ({ type, agent, data, sequence: ++sequence }) as unknown as WorkflowEvent;

  it("follows the developer's newest commit and the commit the latest review was about", () => {
    const events = [
      event("stage_completed", "architect", { stage: "architect" }),
      event("stage_completed", "developer", { stage: "developer", commit: "c1" }),
      event("review_completed", "reviewer", {
        approved: false,
        severity: "minor",
        comments: ["a.md:3 — resolve this TODO"],
        round: 1,
      }),
      event("stage_completed", "developer", { stage: "developer", commit: "c2" }),
    ];
    expect(changeRounds(events)).toEqual({
      latestCommit: "c2",
      review: { commit: "c1", comments: ["a.md:3 — resolve this TODO"] },
    });
    // A round that committed nothing leaves the newest commit as it was.
    expect(
      changeRounds([...events, event("stage_completed", "developer", { stage: "developer" })])
        .latestCommit,
    ).toBe("c2");
    expect(changeRounds(events.slice(0, 1))).toEqual({});
  });
});
