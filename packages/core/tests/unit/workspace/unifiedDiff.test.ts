import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobSha } from "../../../src/workspace/gitObjects";
import { fileDiff, type DiffSide } from "../../../src/workspace/unifiedDiff";
import { git, isolateGitConfig, removeTempDirs, tempDir, writeFiles } from "./gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

const text = (content: string, mode = "100644"): DiffSide => ({
  mode,
  content: Buffer.from(content),
});

/** What `git diff` prints for the same change, without its `index` line. */
function gitDiff(path: string, before?: DiffSide, after?: DiffSide): string {
  const repo = tempDir("amelia-diff-");
  git(repo, "init", "--quiet");
  const put = (side: DiffSide) => {
    writeFiles(repo, { [path]: side.content.toString("utf8") });
    chmodSync(join(repo, path), side.mode === "100755" ? 0o755 : 0o644);
  };
  if (before) put(before);
  git(repo, "add", "-A");
  git(repo, "commit", "--quiet", "--allow-empty", "-m", "before");
  if (after) put(after);
  else rmSync(join(repo, path));
  git(repo, "add", "-A");
  const output = git(repo, "diff", "--cached", "--no-color", "--src-prefix=a/", "--dst-prefix=b/");
  return `${output
    .split("\n")
    .filter((line) => !line.startsWith("index "))
    .join("\n")}\n`;
}

/** Some code: a long function, then another whose body holds `line`. */
function code(line: string): string {
  const filler = Array.from({ length: 8 }, (_, i) => `  const v${i} = ${i};\n`).join("");
  return `export function first(): void {\n${filler}}\n\nexport function second(): number {\n${filler}${line}\n}\n`;
}

describe("a file's diff in git's format", () => {
  const cases: [string, DiffSide | undefined, DiffSide | undefined][] = [
    [
      "a modified line among others",
      text("one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n"),
      text("one\ntwo\nthree\nFOUR\nfive\nsix\nseven\neight\n"),
    ],
    ["a one-line file changed", text("a\n"), text("b\n")],
    ["a created file", undefined, text("x\ny\n")],
    ["a deleted file", text("gone\n"), undefined],
    ["a missing final newline", text("a\nb"), text("a\nc")],
    ["a script made executable", text("#!/bin/sh\n"), text("#!/bin/sh\necho\n", "100755")],
    ["an executable file created", undefined, text("#!/bin/sh\n", "100755")],
    [
      "changes far apart (two hunks)",
      text(Array.from({ length: 30 }, (_, i) => `line ${i}\n`).join("")),
      text(
        Array.from({ length: 30 }, (_, i) =>
          i === 2 || i === 25 ? `changed ${i}\n` : `line ${i}\n`,
        ).join(""),
      ),
    ],
    [
      "a change inside a function, named in the hunk header",
      text(code("  return 1;")),
      text(code("  return 2;")),
    ],
  ];

  it.each(cases)("matches git for %s", (_, before, after) => {
    expect(fileDiff("dir/file.txt", before, after)).toBe(gitDiff("dir/file.txt", before, after));
  });

  it("calls a file with a NUL byte binary, as git does", () => {
    const binary: DiffSide = { mode: "100644", content: Buffer.from([0x89, 0x50, 0x00, 0x01]) };
    expect(fileDiff("logo.png", undefined, binary)).toBe(
      "diff --git a/logo.png b/logo.png\nnew file mode 100644\nBinary files /dev/null and b/logo.png differ\n",
    );
  });
});

describe("git object ids", () => {
  it("computes a blob's id as git does", () => {
    const repo = tempDir("amelia-hash-");
    writeFiles(repo, { "f.txt": "Grüße 👋\n" });
    expect(blobSha(Buffer.from("Grüße 👋\n"))).toBe(git(repo, "hash-object", "f.txt"));
  });
});
