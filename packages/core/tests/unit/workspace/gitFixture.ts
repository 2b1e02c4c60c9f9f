import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GitWorkspace } from "../../../src/workspace/GitWorkspace";

/**
 * Makes git behave as on a fresh machine with no identity or global settings, so the tests
 * prove commits work there. Child processes (and the code under test) inherit it.
 */
export function isolateGitConfig(): void {
  process.env.GIT_CONFIG_GLOBAL = "/dev/null";
  process.env.GIT_CONFIG_NOSYSTEM = "1";
}

const created: string[] = [];

export function tempDir(prefix = "amelia-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** git for fixtures and assertions, with its own identity for the commits fixtures make. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=Fixture", "-c", "user.email=fixture@localhost", ...args],
    { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  ).trimEnd();
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** A person's repository: branch main, one commit with a README and a source file. */
export function makeRepository(): string {
  const repo = tempDir("amelia-repo-");
  git(repo, "init", "--quiet", "--initial-branch=main");
  writeFiles(repo, { "README.md": "# Project\n", "src/index.ts": "export const answer = 42;\n" });
  git(repo, "add", "-A");
  git(repo, "commit", "--quiet", "-m", "Initial commit");
  return repo;
}

/**
 * A workspace on a fresh repository (a realpath, as confinement compares real paths), and a
 * directory outside it holding `secret.txt`, for the escapes the workspace must refuse.
 */
export function workspaceWithOutside(): { repo: string; outside: string; workspace: GitWorkspace } {
  const repo = realpathSync(makeRepository());
  const outside = tempDir("amelia-outside-");
  writeFileSync(join(outside, "secret.txt"), "secret\n");
  return {
    repo,
    outside,
    workspace: new GitWorkspace(repo, "main", git(repo, "rev-parse", "HEAD")),
  };
}
