import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  cutMarker,
  formatDiff,
  formatFileDiff,
  hunkHeader,
  reviewCommentLocation,
} from "../../src/diff";
import type { DiffFile } from "../../src/types";

function file(overrides: Partial<DiffFile> & Pick<DiffFile, "path" | "status">): DiffFile {
  return { additions: 0, deletions: 0, binary: false, hunks: [], ...overrides };
}

/** One change of each kind, as the API describes `git diff` of the repository below. */
const CHANGES: DiffFile[] = [
  file({
    path: "a b.txt",
    status: "modified",
    additions: 2,
    deletions: 2,
    hunks: [
      {
        oldStart: 1,
        oldLines: 7,
        newStart: 1,
        newLines: 7,
        lines: [
          " one",
          " two",
          "-three",
          "+THREE",
          " four",
          " five",
          " six",
          "-seven",
          "+seven",
          "\\ No newline at end of file",
        ],
      },
    ],
  }),
  file({
    path: "del.txt",
    status: "deleted",
    deletions: 1,
    oldMode: "100644",
    hunks: [{ oldStart: 1, oldLines: 1, newStart: 0, newLines: 0, lines: ["-gone"] }],
  }),
  file({ path: "empty.txt", status: "added", newMode: "100644" }),
  file({ path: "mode.sh", status: "modified", oldMode: "100644", newMode: "100755" }),
  file({
    path: "new.txt",
    previousPath: "old.txt",
    status: "renamed",
    additions: 1,
    hunks: [
      { oldStart: 8, oldLines: 3, newStart: 8, newLines: 4, lines: [" l8", " l9", " l10", "+l11"] },
    ],
  }),
  file({
    path: "src/tool.sh",
    status: "added",
    additions: 2,
    newMode: "100755",
    hunks: [
      { oldStart: 0, oldLines: 0, newStart: 1, newLines: 2, lines: ["+#!/bin/sh", "+echo hi"] },
    ],
  }),
  file({
    path: "é.txt",
    status: "modified",
    additions: 1,
    deletions: 1,
    hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ["-x", "+y"] }],
  }),
];

const lines = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `${prefix}${index + 1}\n`).join("");

/** The base commit of CHANGES, and a function that makes the change in the work tree. */
async function repositoryAtBase() {
  const root = await mkdtemp(path.join(tmpdir(), "amelia-diff-"));
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      [
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@localhost",
        "-c",
        "core.quotePath=false",
      ].concat(args),
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  const write = (name: string, text: string) => writeFile(path.join(root, name), text);
  git("init", "-q", "-b", "main");
  await write("a b.txt", "one\ntwo\nthree\nfour\nfive\nsix\nseven\n");
  await write("del.txt", "gone\n");
  await write("mode.sh", "k\n");
  await write("old.txt", lines(10, "l"));
  await write("é.txt", "x\n");
  git("add", ".");
  git("commit", "-qm", "base");
  const change = async () => {
    await write("a b.txt", "one\ntwo\nTHREE\nfour\nfive\nsix\nseven");
    await rm(path.join(root, "del.txt"));
    await write("empty.txt", "");
    await chmod(path.join(root, "mode.sh"), 0o755);
    await rm(path.join(root, "old.txt"));
    await write("new.txt", lines(11, "l"));
    await mkdir(path.join(root, "src"));
    await write("src/tool.sh", "#!/bin/sh\necho hi\n");
    await chmod(path.join(root, "src/tool.sh"), 0o755);
    await write("é.txt", "y\n");
    git("add", "-A");
  };
  return { root, git, change };
}

describe("formatDiff", () => {
  it("prints git diff's text, without the index lines git apply does not need", async () => {
    const { git, change } = await repositoryAtBase();
    await change();
    const gitText = git("diff", "--cached", "-M")
      .split("\n")
      .filter((line) => !/^(index|similarity index) /.test(line))
      // git's extras: a tab after a path with a space, the function name after a hunk header.
      .map((line) => line.replace(/\t$/, "").replace(/^(@@ [^@]+ @@) .*/, "$1"))
      .join("\n");
    expect(formatDiff({ files: CHANGES })).toBe(gitText);
  });

  it("applies with git apply on the base commit, giving the changed tree", async () => {
    const { root, git, change } = await repositoryAtBase();
    const patch = path.join(root, "..", `${path.basename(root)}.patch`);
    await writeFile(patch, formatDiff({ files: CHANGES }));
    git("apply", "--index", patch);
    const applied = git("write-tree");
    git("reset", "-q", "--hard");
    await change();
    expect(applied).toBe(git("write-tree"));
  });

  it("prints nothing for no files", () => {
    expect(formatDiff({ files: [] })).toBe("");
  });
});

describe("formatFileDiff", () => {
  it("a pure rename: the rename lines only", () => {
    expect(formatFileDiff(file({ path: "b.ts", previousPath: "a.ts", status: "renamed" }))).toBe(
      "diff --git a/a.ts b/b.ts\nrename from a.ts\nrename to b.ts\n",
    );
  });

  it("a rename that also changes the mode: modes first, as git prints them", () => {
    expect(
      formatFileDiff(
        file({
          path: "b.sh",
          previousPath: "a.sh",
          status: "renamed",
          oldMode: "100644",
          newMode: "100755",
        }),
      ),
    ).toBe(
      "diff --git a/a.sh b/b.sh\nold mode 100644\nnew mode 100755\nrename from a.sh\nrename to b.sh\n",
    );
  });

  it("an unchanged mode is not printed", () => {
    const text = formatFileDiff(
      file({ path: "a.ts", status: "modified", oldMode: "100644", newMode: "100644" }),
    );
    expect(text).toBe("diff --git a/a.ts b/a.ts\n");
  });

  it("a binary file: git's Binary files line, no hunks", () => {
    expect(
      formatFileDiff(file({ path: "logo.png", status: "added", binary: true, newMode: "100644" })),
    ).toBe(
      "diff --git a/logo.png b/logo.png\nnew file mode 100644\n" +
        "Binary files /dev/null and b/logo.png differ\n",
    );
    expect(formatFileDiff(file({ path: "logo.png", status: "deleted", binary: true }))).toBe(
      "diff --git a/logo.png b/logo.png\ndeleted file mode 100644\n" +
        "Binary files a/logo.png and /dev/null differ\n",
    );
    expect(formatFileDiff(file({ path: "logo.png", status: "modified", binary: true }))).toBe(
      "diff --git a/logo.png b/logo.png\nBinary files a/logo.png and b/logo.png differ\n",
    );
  });

  it("a cut file ends in the cut marker, after the lines shown", () => {
    const text = formatFileDiff(
      file({
        path: "big.txt",
        status: "added",
        additions: 20_000,
        hunks: [
          { oldStart: 0, oldLines: 0, newStart: 1, newLines: 20_000, lines: ["+1", "+2", "+3"] },
        ],
        truncated: { shownLines: 3, totalLines: 20_000 },
      }),
    );
    expect(text.split("\n").slice(-3)).toEqual([
      "+3",
      "[cut: 3 of 20000 lines of this file's diff are shown]",
      "",
    ]);
  });

  it("a file cut before its first line still ends in the marker", () => {
    const text = formatFileDiff(
      file({
        path: "big.txt",
        status: "added",
        additions: 20_000,
        truncated: { shownLines: 0, totalLines: 20_000 },
      }),
    );
    expect(text).toBe(
      "diff --git a/big.txt b/big.txt\nnew file mode 100644\n--- /dev/null\n+++ b/big.txt\n" +
        "[cut: 0 of 20000 lines of this file's diff are shown]\n",
    );
  });

  it("a cut patch is refused by git apply, rather than applied as if it were whole", async () => {
    const { root, git } = await repositoryAtBase();
    const patch = path.join(root, "..", `${path.basename(root)}-cut.patch`);
    const cut = file({
      path: "old.txt",
      status: "modified",
      deletions: 10,
      hunks: [
        { oldStart: 1, oldLines: 10, newStart: 0, newLines: 0, lines: ["-l1", "-l2", "-l3"] },
      ],
      truncated: { shownLines: 3, totalLines: 10 },
    });
    await writeFile(patch, formatDiff({ files: [cut] }));
    expect(() => git("apply", "--check", patch)).toThrow();
  });
});

describe("hunkHeader", () => {
  it("leaves out a count of one, as git does", () => {
    expect(hunkHeader({ oldStart: 3, oldLines: 1, newStart: 3, newLines: 2, lines: [] })).toBe(
      "@@ -3 +3,2 @@",
    );
    expect(hunkHeader({ oldStart: 0, oldLines: 0, newStart: 1, newLines: 1, lines: [] })).toBe(
      "@@ -0,0 +1 @@",
    );
  });
});

describe("cutMarker", () => {
  it("starts with none of a hunk line's characters", () => {
    expect(cutMarker({ shownLines: 1, totalLines: 2 })).toMatch(/^[^ +\-\\@]/);
  });
});

describe("reviewCommentLocation", () => {
  it("reads the demo reviewer's form", () => {
    expect(
      reviewCommentLocation("docs/amelia/issue-1.md:14 — resolve this TODO: - TODO: verify"),
    ).toEqual({ path: "docs/amelia/issue-1.md", line: 14 });
  });

  it("reads a location in backticks, or the first line of a range", () => {
    expect(reviewCommentLocation("`src/app.ts:12` check for null")).toEqual({
      path: "src/app.ts",
      line: 12,
    });
    expect(reviewCommentLocation("  src/app.ts:12-20 — extract a function")).toEqual({
      path: "src/app.ts",
      line: 12,
    });
  });

  it.each([
    "Add a test for the empty case",
    "…and 3 more TODO lines.",
    "Note: 12 steps are missing",
    "see src/app.ts:12",
    "src/app.ts:0 — no line zero",
    "src/app.ts — no line",
  ])("is undefined when the comment does not start with path:line: %o", (comment) => {
    expect(reviewCommentLocation(comment)).toBeUndefined();
  });
});
