import { existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WorkspaceError } from "../../../src/errors";
import type { GitWorkspace } from "../../../src/workspace/GitWorkspace";
import { PathOutsideWorkspaceError } from "../../../src/workspace/PathOutsideWorkspaceError";
import { normalizeWorkspacePath } from "../../../src/workspace/paths";
import { git, isolateGitConfig, removeTempDirs, workspaceWithOutside } from "./gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

let repo: string;
let outside: string;
let workspace: GitWorkspace;

beforeEach(() => {
  ({ repo, outside, workspace } = workspaceWithOutside());
});

describe("workspace path confinement", () => {
  it.each([
    ["/etc/passwd"],
    ["../outside.txt"],
    ["src/../../outside.txt"],
    ["src/.."],
    [".git/config"],
    [".git"],
    ["sub/.GIT/HEAD"],
    ["C:/Windows/win.ini"],
    ["src\\index.ts"],
    [""],
    ["./"],
  ])("refuses %j", async (path) => {
    await expect(workspace.readFile(path)).rejects.toBeInstanceOf(PathOutsideWorkspaceError);
    await expect(workspace.writeFile(path, "x")).rejects.toBeInstanceOf(PathOutsideWorkspaceError);
    await expect(workspace.deleteFile(path)).rejects.toBeInstanceOf(PathOutsideWorkspaceError);
  });

  it("refuses with a WorkspaceError naming the path", async () => {
    const error = await workspace.readFile("../x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).path).toBe("../x");
  });

  it("refuses a symlinked directory that leads outside, for reads and writes", async () => {
    symlinkSync(outside, join(repo, "escape"));
    await expect(workspace.readFile("escape/secret.txt")).rejects.toThrow(/outside the workspace/);
    await expect(workspace.writeFile("escape/new.txt", "x")).rejects.toBeInstanceOf(
      PathOutsideWorkspaceError,
    );
    await expect(workspace.writeFile("escape/deep/new.txt", "x")).rejects.toBeInstanceOf(
      PathOutsideWorkspaceError,
    );
    expect(existsSync(join(outside, "new.txt"))).toBe(false);
    expect(existsSync(join(outside, "deep"))).toBe(false);
  });

  it("refuses a symlinked file that leads outside", async () => {
    symlinkSync(join(outside, "secret.txt"), join(repo, "secret-link.txt"));
    await expect(workspace.readFile("secret-link.txt")).rejects.toBeInstanceOf(
      PathOutsideWorkspaceError,
    );
    await expect(workspace.writeFile("secret-link.txt", "owned")).rejects.toBeInstanceOf(
      PathOutsideWorkspaceError,
    );
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("secret\n");
  });

  it("refuses a dangling symlink, which a write would follow outside", async () => {
    symlinkSync(join(outside, "not-yet.txt"), join(repo, "dangling.txt"));
    await expect(workspace.writeFile("dangling.txt", "x")).rejects.toBeInstanceOf(
      PathOutsideWorkspaceError,
    );
    expect(existsSync(join(outside, "not-yet.txt"))).toBe(false);
  });

  it("refuses a symlink into .git", async () => {
    symlinkSync(join(repo, ".git"), join(repo, "gitdir"));
    await expect(workspace.readFile("gitdir/HEAD")).rejects.toThrow(/\.git directory/);
  });

  it("allows nested paths and symlinks that stay inside", async () => {
    expect(await workspace.writeFile("src/deep/nested/file.ts", "one\n")).toBe("created");
    expect(await workspace.writeFile("./src//deep/nested/file.ts", "two\n")).toBe("modified");
    expect(await workspace.readFile("src/deep/nested/file.ts")).toBe("two\n");
    symlinkSync(join(repo, "src"), join(repo, "source"));
    expect(await workspace.readFile("source/index.ts")).toBe("export const answer = 42;\n");
    expect(await workspace.writeFile(".gitignore", "dist/\n")).toBe("created");
    expect(await workspace.writeFile("docs/.github-notes.md", "ok\n")).toBe("created");
  });

  it("normalises the spelling of a path", () => {
    expect(normalizeWorkspacePath("./a//b/./c.ts")).toBe("a/b/c.ts");
    expect(() => normalizeWorkspacePath("a/\0b")).toThrow(PathOutsideWorkspaceError);
  });
});

describe("workspace files and git", () => {
  it("lists tracked and untracked files but not ignored or deleted ones", async () => {
    await workspace.writeFile(".gitignore", "*.log\n");
    await workspace.writeFile("notes/todo.md", "x\n");
    await workspace.writeFile("debug.log", "noise\n");
    expect(await workspace.deleteFile("README.md")).toBe(true);
    expect(await workspace.listFiles()).toEqual([".gitignore", "notes/todo.md", "src/index.ts"]);
  });

  it("keeps its file list up to date with its own writes and deletes, even mid-listing", async () => {
    const before = await workspace.listFiles();
    before.push("not/a/file.ts");
    expect(await workspace.listFiles()).toEqual(["README.md", "src/index.ts"]);
    await workspace.writeFile("src/added.ts", "x\n");
    expect(await workspace.listFiles()).toEqual(["README.md", "src/added.ts", "src/index.ts"]);
    // A listing that started before a write finished must not be the one kept after it.
    const racing = workspace.listFiles();
    await workspace.deleteFile("README.md");
    await racing;
    expect(await workspace.listFiles()).toEqual(["src/added.ts", "src/index.ts"]);
  });

  it("reports whether a delete removed anything and refuses to read a missing file", async () => {
    expect(await workspace.deleteFile("src/index.ts")).toBe(true);
    expect(await workspace.deleteFile("src/index.ts")).toBe(false);
    await expect(workspace.readFile("src/index.ts")).rejects.toThrow(/no such file/);
    mkdirSync(join(repo, "folder"));
    await expect(workspace.deleteFile("folder")).rejects.toBeInstanceOf(WorkspaceError);
    await expect(workspace.writeFile("README.md/inner.txt", "x")).rejects.toThrow(
      /a file stands where/,
    );
  });

  it("diffs committed, uncommitted and untracked work against the base commit", async () => {
    await workspace.writeFile("src/index.ts", "export const answer = 43;\n");
    expect(await workspace.commit("Change the answer")).toMatch(/^[0-9a-f]{40}$/);
    await workspace.writeFile("README.md", "# Project\n\nMore.\n");
    await workspace.writeFile("src/new.ts", "export {};\n");

    const diff = await workspace.diff();
    expect(diff).toContain("+export const answer = 43;");
    expect(diff).toContain("+More.");
    expect(diff).toContain("+++ b/src/new.ts");
    // The diff staged nothing in the real index.
    expect(git(repo, "status", "--porcelain")).toBe(" M README.md\n?? src/new.ts");
  });

  it("commits everything as Amelia, and nothing when nothing changed", async () => {
    expect(await workspace.commit("Nothing")).toBeUndefined();
    await workspace.writeFile("a.txt", "a\n");
    await workspace.deleteFile("README.md");
    const sha = await workspace.commit("Add a, drop the README");
    expect(sha).toBe(git(repo, "rev-parse", "HEAD"));
    expect(git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s")).toBe(
      "Amelia <amelia@localhost>|Amelia <amelia@localhost>|Add a, drop the README",
    );
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(await workspace.commit("Again")).toBeUndefined();
  });
});
