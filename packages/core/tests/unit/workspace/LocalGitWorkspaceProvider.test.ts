import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ValidationError, WorkspaceError } from "../../../src/errors";
import { parseChecksFile } from "../../../src/checks/checksConfig";
import { LocalGitWorkspaceProvider } from "../../../src/workspace/LocalGitWorkspaceProvider";
import { branchNameFor } from "../../../src/workflow/branchName";
import {
  git,
  isolateGitConfig,
  makeRepository,
  removeTempDirs,
  tempDir,
  writeFiles,
} from "./gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

let dataDir: string;
let repo: string;

beforeEach(() => {
  dataDir = tempDir("amelia-data-");
  repo = makeRepository();
});

async function validationFailure(repository: string): Promise<ValidationError> {
  const error = await new LocalGitWorkspaceProvider(dataDir)
    .resolveRepository(repository)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("resolveRepository", () => {
  it("refuses a path that does not exist", async () => {
    const error = await validationFailure(join(dataDir, "nowhere"));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.details).toEqual([
      { field: "repository", message: expect.stringContaining("does not exist") },
    ]);
  });

  it("refuses a plain directory, a file and a repository without commits", async () => {
    const plain = tempDir("amelia-plain-");
    expect((await validationFailure(plain)).message).toMatch(/not a git work tree/);
    writeFileSync(join(plain, "file.txt"), "x");
    expect((await validationFailure(join(plain, "file.txt"))).message).toMatch(/not a directory/);
    const empty = tempDir("amelia-empty-");
    git(empty, "init", "--quiet");
    expect((await validationFailure(empty)).message).toMatch(/no commits/);
  });

  it("accepts a real repository as its top-level path, and no repository at all", async () => {
    const workspaces = new LocalGitWorkspaceProvider(dataDir);
    const root = realpathSync(repo);
    await expect(workspaces.resolveRepository(repo)).resolves.toBe(root);
    await expect(workspaces.resolveRepository(join(repo, "src"))).resolves.toBe(root);
    await expect(workspaces.resolveRepository()).resolves.toBeUndefined();
  });
});

describe("open with a repository", () => {
  const request = () => ({
    workflowId: "wf-1",
    issueId: "PROJ-1",
    repository: repo,
    branch: branchNameFor("PROJ-1"),
  });

  it("creates a worktree on the branch and leaves the person's checkout alone", async () => {
    const head = git(repo, "rev-parse", "HEAD");
    const workspace = await new LocalGitWorkspaceProvider(dataDir).open(request());

    expect(workspace.root).toBe(realpathSync(join(dataDir, "workspaces", "wf-1")));
    expect(workspace.branch).toBe("amelia/PROJ-1");
    expect(workspace.baseCommit).toBe(head);
    expect(git(workspace.root, "rev-parse", "--abbrev-ref", "HEAD")).toBe("amelia/PROJ-1");
    expect(await workspace.listFiles()).toEqual(["README.md", "src/index.ts"]);

    await workspace.writeFile("src/feature.ts", "export const feature = true;\n");
    const sha = await workspace.commit("Add the feature");

    expect(git(repo, "rev-parse", "amelia/PROJ-1")).toBe(sha);
    expect(git(repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(git(repo, "rev-parse", "HEAD")).toBe(head);
    expect(git(repo, "status", "--porcelain")).toBe("");
    expect(existsSync(join(repo, "src/feature.ts"))).toBe(false);
  });

  it("reopens the same workspace from a new provider, keeping the base commit", async () => {
    const first = await new LocalGitWorkspaceProvider(dataDir).open(request());
    await first.writeFile("work.txt", "in progress\n");
    await first.commit("Some work");
    await first.writeFile("uncommitted.txt", "still here\n");
    // The person keeps working on main meanwhile.
    writeFiles(repo, { "later.txt": "later\n" });
    git(repo, "add", "-A");
    git(repo, "commit", "--quiet", "-m", "Later work on main");

    const again = await new LocalGitWorkspaceProvider(dataDir).open(request());
    expect(again.root).toBe(first.root);
    expect(again.baseCommit).toBe(first.baseCommit);
    expect(await again.readFile("uncommitted.txt")).toBe("still here\n");
    const diff = await again.diff();
    expect(diff).toContain("+in progress");
    expect(diff).not.toContain("later");
  });

  it("recreates a worktree whose directory was deleted", async () => {
    const first = await new LocalGitWorkspaceProvider(dataDir).open(request());
    await first.writeFile("kept.txt", "committed\n");
    await first.commit("Keep this");
    rmSync(first.root, { recursive: true, force: true });

    const again = await new LocalGitWorkspaceProvider(dataDir).open(request());
    expect(await again.readFile("kept.txt")).toBe("committed\n");
    expect(again.baseCommit).toBe(first.baseCommit);
  });

  it("continues an existing branch, measuring from where it left main", async () => {
    const forkPoint = git(repo, "rev-parse", "HEAD");
    git(repo, "checkout", "--quiet", "-b", "amelia/PROJ-1");
    writeFiles(repo, { "earlier.txt": "earlier work\n" });
    git(repo, "add", "-A");
    git(repo, "commit", "--quiet", "-m", "Earlier work");
    const tip = git(repo, "rev-parse", "HEAD");
    git(repo, "checkout", "--quiet", "main");

    const workspace = await new LocalGitWorkspaceProvider(dataDir).open(request());
    expect(workspace.baseCommit).toBe(forkPoint);
    expect(git(workspace.root, "rev-parse", "HEAD")).toBe(tip);
    expect(await workspace.diff()).toContain("+earlier work");
  });

  it("refuses a workflow id that is not a plain name, and an invalid branch", async () => {
    const workspaces = new LocalGitWorkspaceProvider(dataDir);
    await expect(workspaces.open({ ...request(), workflowId: "../escape" })).rejects.toBeInstanceOf(
      WorkspaceError,
    );
    await expect(workspaces.open({ ...request(), branch: "bad..branch" })).rejects.toBeInstanceOf(
      WorkspaceError,
    );
  });

  it("refuses to reopen a workspace for another branch", async () => {
    await new LocalGitWorkspaceProvider(dataDir).open(request());
    await expect(
      new LocalGitWorkspaceProvider(dataDir).open({ ...request(), branch: "amelia/other" }),
    ).rejects.toThrow(/belongs to/);
  });
});

describe("open without a repository", () => {
  const request = { workflowId: "wf-2", issueId: "DEMO-9", branch: "amelia/DEMO-9" };

  it("prepares a scratch repository with a README naming the issue, and checks", async () => {
    const workspace = await new LocalGitWorkspaceProvider(dataDir).open(request);
    expect(workspace.root).toBe(realpathSync(join(dataDir, "scratch", "wf-2")));
    expect(git(workspace.root, "rev-parse", "--abbrev-ref", "HEAD")).toBe("amelia/DEMO-9");
    expect(workspace.baseCommit).toBe(git(workspace.root, "rev-parse", "HEAD"));
    expect(readFileSync(join(workspace.root, "README.md"), "utf8")).toContain("DEMO-9");
    expect(await workspace.listFiles()).toEqual([".amelia/checks.yml", "README.md"]);
    expect(parseChecksFile(await workspace.readFile(".amelia/checks.yml")).checks).toHaveLength(2);
    expect(await workspace.diff()).toBe("");
  });

  it("reopens it with the same base commit and the work so far", async () => {
    const first = await new LocalGitWorkspaceProvider(dataDir).open(request);
    await first.writeFile("notes.md", "one\n");
    await first.commit("Notes");
    await first.writeFile("draft.md", "two\n");

    const again = await new LocalGitWorkspaceProvider(dataDir).open(request);
    expect(again.baseCommit).toBe(first.baseCommit);
    expect(await again.listFiles()).toEqual([
      ".amelia/checks.yml",
      "README.md",
      "draft.md",
      "notes.md",
    ]);
  });

  it("checks the branch out again when someone left the scratch repository on another", async () => {
    const first = await new LocalGitWorkspaceProvider(dataDir).open(request);
    await first.writeFile("notes.md", "one\n");
    const work = await first.commit("Notes");
    git(first.root, "checkout", "--quiet", "-b", "elsewhere", first.baseCommit);

    const again = await new LocalGitWorkspaceProvider(dataDir).open(request);
    expect(git(again.root, "rev-parse", "--abbrev-ref", "HEAD")).toBe("amelia/DEMO-9");
    expect(git(again.root, "rev-parse", "HEAD")).toBe(work);
    expect(await again.listFiles()).toContain("notes.md");
  });
});
