import { execFileSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A real git repository with one commit, in a temporary directory. */
export async function createGitRepository(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "amelia-repo-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@localhost", ...args], {
      cwd: root,
    });
  git("init", "-q", "-b", "main");
  await writeFile(path.join(root, "README.md"), "# Test repository\n");
  git("add", "README.md");
  git("commit", "-q", "-m", "Initial commit");
  return root;
}

/** Commits everything in the work tree, as a person would before handing it to Amelia. */
export function commitAll(root: string, message: string): void {
  execFileSync("git", ["add", "."], { cwd: root });
  execFileSync(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=t@localhost", "commit", "-qm", message],
    { cwd: root },
  );
}

export function gitOutput(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/**
 * git's own diff of each file between two commits, by path, without what Amelia's diff answer
 * leaves out: `index` and `similarity` lines, and hunk headers' function context.
 */
export function gitFileDiffs(
  repository: string,
  base: string,
  commit: string,
): Map<string, string> {
  const text = execFileSync(
    "git",
    ["diff", "--find-renames", "--no-color", "--src-prefix=a/", "--dst-prefix=b/", base, commit],
    { cwd: repository, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const files = new Map<string, string>();
  for (const part of text.split(/^(?=diff --git )/m)) {
    const path = /^diff --git a\/\S+ b\/(\S+)/.exec(part)?.[1];
    if (path) {
      files.set(
        path,
        part.replace(/^(index|similarity index) .*\n/gm, "").replace(/^(@@ [^@]* @@).*$/gm, "$1"),
      );
    }
  }
  return files;
}
