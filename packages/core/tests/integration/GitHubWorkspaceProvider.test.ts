import { chmodSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../../../../tests/support/fakeGitHub";
import { ValidationError, WorkspaceError } from "../../src/errors";
import { GitHubConnection } from "../../src/github/GitHubConnection";
import { GitHubWorkspaceProvider } from "../../src/workspace/GitHubWorkspaceProvider";
import { PathOutsideWorkspaceError } from "../../src/workspace/PathOutsideWorkspaceError";
import type { OpenWorkspaceRequest } from "../../src/workspace/Workspace";
import {
  git,
  isolateGitConfig,
  removeTempDirs,
  tempDir,
  writeFiles,
} from "../unit/workspace/gitFixture";

let github: FakeGitHub;
beforeAll(async () => {
  isolateGitConfig();
  github = await FakeGitHub.start();
});
afterAll(async () => {
  removeTempDirs();
  await github.close();
});

/** A provider as a fresh Lambda invocation builds it: nothing shared but GitHub itself. */
function provider(token: () => Promise<string | undefined> = async () => github.token) {
  return new GitHubWorkspaceProvider(new GitHubConnection({ apiUrl: github.url, token }));
}

const noToken = async () => undefined;

/** What every test repository holds, as `listFiles` names it. */
const SEEDED_FILES = ["README.md", "bin/run.sh", "link.md", "linkdir", "src/index.ts"];

let counter = 0;
let repository: string;
let request: OpenWorkspaceRequest;
/** Where the workflow's commits wait until it completes. */
let workRef: string;

beforeEach(() => {
  counter += 1;
  repository = `Octo-Org/Project-${counter}`;
  github.addRepository(repository, {
    files: {
      "README.md": "# Project\n",
      "src/index.ts": "export const answer = 42;\n",
      "bin/run.sh": { content: "#!/bin/sh\necho run\n", mode: "100755" },
      "link.md": { content: "README.md", mode: "120000" },
      linkdir: { content: "src", mode: "120000" },
    },
  });
  request = {
    workflowId: `wf-${counter}`,
    issueId: "PROJ-1",
    repository: repository.toLowerCase(),
    branch: "amelia/PROJ-1",
  };
  workRef = `refs/amelia/${request.workflowId}`;
});

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("resolving a GitHub repository", () => {
  it("canonicalises owner/name to GitHub's name in lower case", async () => {
    expect(await provider().resolveRepository(repository.toUpperCase())).toBe(
      repository.toLowerCase(),
    );
    expect(await provider().resolveRepository(undefined)).toBeUndefined();
  });

  it.each([
    ["not-a-repo"],
    ["owner/repo/extra"],
    ["-owner/repo"],
    ["owner/.."],
    ["owner/re po"],
    ["https://github.com/owner/repo"],
  ])("refuses %j as not of the form owner/name, without asking GitHub", async (name) => {
    const before = github.requests.length;
    const error = await rejection(provider().resolveRepository(name));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([
      { field: "repository", message: `${name} is not a GitHub repository (owner/name)` },
    ]);
    expect(github.requests.length).toBe(before);
  });

  it("refuses a repository GitHub does not have", async () => {
    const error = await rejection(provider().resolveRepository("octo-org/missing"));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      "Invalid repository: GitHub has no repository octo-org/missing, or the token cannot see it",
    );
  });

  it("needs a token, and says so without calling GitHub", async () => {
    const before = github.requests.length;
    const error = await rejection(provider(noToken).resolveRepository(repository));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/no GitHub token is configured \(GITHUB_TOKEN\)/);
    expect(github.requests.length).toBe(before);
  });

  it("refuses a token GitHub rejects, without repeating the token", async () => {
    const error = await rejection(provider(async () => "ghp_wrong").resolveRepository(repository));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(
      "Invalid repository: GitHub rejected the configured token",
    );
    expect(JSON.stringify(error)).not.toContain("ghp_wrong");
  });

  it("refuses a repository the token may not push to, an archived one and an empty one", async () => {
    github.addRepository("octo-org/read-only", { files: { a: "a" }, canPush: false });
    github.addRepository("octo-org/archived", { files: { a: "a" }, archived: true });
    github.addRepository("octo-org/empty");
    const messages = await Promise.all(
      ["octo-org/read-only", "octo-org/archived", "octo-org/empty"].map(async (name) => {
        const error = await rejection(provider().resolveRepository(name));
        expect(error).toBeInstanceOf(ValidationError);
        return (error as Error).message;
      }),
    );
    expect(messages).toEqual([
      "Invalid repository: the GitHub token may not push to octo-org/read-only",
      "Invalid repository: octo-org/archived is archived",
      "Invalid repository: octo-org/empty has no commits yet",
    ]);
  });

  it("sends the token as GitHub expects, with a User-Agent", async () => {
    const before = github.requests.length;
    await provider().resolveRepository(repository);
    const sent = github.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const call of sent) expect(call.authorization).toBe(`token ${github.token}`);
  });
});

describe("a GitHub workspace", () => {
  it("starts the work in progress at the default branch's head, no branch yet, and lists its files", async () => {
    const main = github.branchTip(repository, "main");
    const workspace = await provider().open(request);
    expect(github.refTip(repository, workRef)).toBe(main);
    expect(github.branchTip(repository, "amelia/PROJ-1")).toBeUndefined();
    expect(workspace.baseCommit).toBe(main);
    expect(workspace.branch).toBe("amelia/PROJ-1");
    expect(workspace.root).toBe(`${github.url}/${repository}/tree/amelia/PROJ-1`);
    expect(await workspace.listFiles()).toEqual(SEEDED_FILES);
    expect(await workspace.readFile("src/index.ts")).toBe("export const answer = 42;\n");
    expect(await workspace.diff()).toBe("");
  });

  it("keeps changes in memory until commit, then writes one commit to the work-in-progress ref", async () => {
    const workspace = await provider().open(request);
    expect(await workspace.writeFile("src/index.ts", "export const answer = 43;\n")).toBe(
      "modified",
    );
    expect(await workspace.writeFile("docs/new.md", "# New\n")).toBe("created");
    expect(await workspace.deleteFile("README.md")).toBe(true);
    expect(await workspace.deleteFile("README.md")).toBe(false);
    expect(await workspace.readFile("docs/new.md")).toBe("# New\n");
    await expect(workspace.readFile("README.md")).rejects.toThrow(
      "Could not read README.md: no such file",
    );
    // Nothing reached GitHub yet.
    expect(github.refTip(repository, workRef)).toBe(workspace.baseCommit);

    const commit = await workspace.commit("Change things");
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(github.refTip(repository, workRef)).toBe(commit);
    // No branch moved: on GitHub, only branch pushes start `on: push` workflows.
    expect(github.branchTip(repository, "amelia/PROJ-1")).toBeUndefined();
    expect(github.commitInfo(repository, commit as string)).toEqual({
      message: "Change things",
      parents: [workspace.baseCommit],
    });
    const files = github.filesAt(repository, workRef);
    expect(files["src/index.ts"]).toBe("export const answer = 43;\n");
    expect(files["docs/new.md"]).toBe("# New\n");
    expect(files["README.md"]).toBeUndefined();
    expect(files["bin/run.sh"]).toBe("#!/bin/sh\necho run\n");
    expect(await workspace.commit("Nothing more")).toBeUndefined();
  });

  it("commits nothing when every change was undone", async () => {
    const workspace = await provider().open(request);
    await workspace.writeFile("README.md", "changed\n");
    await workspace.writeFile("README.md", "# Project\n");
    await workspace.writeFile("scratch.txt", "temporary\n");
    await workspace.deleteFile("scratch.txt");
    const before = github.requests.length;
    expect(await workspace.commit("No-op")).toBeUndefined();
    expect(github.requests.length).toBe(before);
    expect(await workspace.diff()).toBe("");
  });

  it("reopens from the branch head in a later invocation, keeping the base commit", async () => {
    const first = await provider().open(request);
    await first.writeFile("notes.md", "one\n");
    const commit = await first.commit("Round 1");
    // The default branch moves on meanwhile; the workflow's base does not.
    github.pushCommit(repository, "main", { "CHANGELOG.md": "later\n" }, "Later work on main");

    const second = await provider().open(request);
    expect(second.baseCommit).toBe(first.baseCommit);
    expect(await second.readFile("notes.md")).toBe("one\n");
    expect(await second.listFiles()).not.toContain("CHANGELOG.md");
    await second.writeFile("notes.md", "one\ntwo\n");
    const next = await second.commit("Round 2");
    expect(github.commitInfo(repository, next as string).parents).toEqual([commit]);

    const third = await provider().open(request);
    expect(await third.diff()).toBe(
      [
        "diff --git a/notes.md b/notes.md",
        "new file mode 100644",
        "--- /dev/null",
        "+++ b/notes.md",
        "@@ -0,0 +1,2 @@",
        "+one",
        "+two",
        "",
      ].join("\n"),
    );
  });

  it("diffs committed and uncommitted work against the base, file by file in path order", async () => {
    const workspace = await provider().open(request);
    await workspace.writeFile("src/index.ts", "export const answer = 43;\n");
    await workspace.commit("Committed part");
    await workspace.deleteFile("README.md");
    await workspace.writeFile("bin/run.sh", "#!/bin/sh\necho ran\n");
    expect(await workspace.diff()).toBe(
      [
        "diff --git a/README.md b/README.md",
        "deleted file mode 100644",
        "--- a/README.md",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-# Project",
        "diff --git a/bin/run.sh b/bin/run.sh",
        "--- a/bin/run.sh",
        "+++ b/bin/run.sh",
        "@@ -1,2 +1,2 @@",
        " #!/bin/sh",
        "-echo run",
        "+echo ran",
        "diff --git a/src/index.ts b/src/index.ts",
        "--- a/src/index.ts",
        "+++ b/src/index.ts",
        "@@ -1 +1 @@",
        "-export const answer = 42;",
        "+export const answer = 43;",
        "",
      ].join("\n"),
    );
  });

  it("keeps an executable file executable when it is rewritten", async () => {
    const workspace = await provider().open(request);
    await workspace.writeFile("bin/run.sh", "#!/bin/sh\necho again\n");
    await workspace.commit("Rewrite the script");
    const tree = github.requests.findLast(
      (call) => call.method === "POST" && call.path.endsWith("git/trees"),
    );
    expect(tree?.body).toMatchObject({
      tree: [{ path: "bin/run.sh", mode: "100755", type: "blob" }],
    });
  });

  it("continues a branch that already exists, measuring from where it left the default branch", async () => {
    const forkPoint = github.branchTip(repository, "main") as string;
    github.createBranch(repository, "amelia/PROJ-1", "main");
    const tip = github.pushCommit(repository, "amelia/PROJ-1", { "earlier.md": "x\n" }, "Earlier");
    github.pushCommit(repository, "main", { "CHANGELOG.md": "later\n" }, "Later work on main");
    const workspace = await provider().open(request);
    expect(workspace.baseCommit).toBe(forkPoint);
    expect(await workspace.readFile("earlier.md")).toBe("x\n");
    expect(github.branchTip(repository, "amelia/PROJ-1")).toBe(tip);
    expect(github.refTip(repository, workRef)).toBe(tip);
  });

  it("refuses to commit over work pushed to the work-in-progress ref meanwhile, and loses nothing on GitHub", async () => {
    const workspace = await provider().open(request);
    const theirs = github.pushCommit(repository, workRef, { "theirs.md": "t\n" }, "Theirs");
    await workspace.writeFile("mine.md", "m\n");
    const error = await rejection(workspace.commit("Mine"));
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toMatch(
      /^Ref refs\/amelia\/wf-\d+ of .* changed on GitHub while the workspace was open \(Update is not a fast forward\); nothing was committed$/,
    );
    expect(github.refTip(repository, workRef)).toBe(theirs);
  });

  it("reads a tree too large for one answer directory by directory", async () => {
    github.maxRecursiveTreeEntries = 2;
    try {
      const workspace = await provider().open(request);
      expect(await workspace.listFiles()).toEqual(SEEDED_FILES);
    } finally {
      github.maxRecursiveTreeEntries = 100_000;
    }
  });

  it("reads files whose content is not ASCII, and binary files byte for byte in the diff", async () => {
    const workspace = await provider().open(request);
    await workspace.writeFile("i18n/greeting.txt", "Grüße, 世界 👋\n");
    await workspace.commit("Greet");
    const reopened = await provider().open(request);
    expect(await reopened.readFile("i18n/greeting.txt")).toBe("Grüße, 世界 👋\n");
    github.pushCommit(
      repository,
      workRef,
      { "logo.png": { content: Buffer.from([0x89, 0x50, 0, 1]) } },
      "Logo",
    );
    const later = await provider().open(request);
    expect(await later.diff()).toContain(
      "diff --git a/logo.png b/logo.png\nnew file mode 100644\nBinary files /dev/null and b/logo.png differ\n",
    );
  });
});

describe("path confinement in a GitHub workspace", () => {
  it.each([
    ["/etc/passwd"],
    ["../outside.txt"],
    ["src/../../outside.txt"],
    [".git/config"],
    ["sub/.GIT/HEAD"],
    ["C:/Windows/win.ini"],
    ["src\\index.ts"],
    [""],
  ])("refuses %j for reads, writes and deletes", async (path) => {
    const workspace = await provider().open(request);
    await expect(workspace.readFile(path)).rejects.toBeInstanceOf(PathOutsideWorkspaceError);
    await expect(workspace.writeFile(path, "x")).rejects.toBeInstanceOf(PathOutsideWorkspaceError);
    await expect(workspace.deleteFile(path)).rejects.toBeInstanceOf(PathOutsideWorkspaceError);
    expect(await workspace.commit("Nothing")).toBeUndefined();
  });

  it("reads no blob for a size, none too large for the API, and refuses binary files as text", async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, "x");
    github.pushCommit(
      repository,
      "main",
      { "big.txt": { content: big }, "logo.png": { content: Buffer.from([0x89, 0x50, 0, 1]) } },
      "Assets",
    );
    const workspace = await provider().open(request);
    const blobReads = () =>
      github.requests.filter((call) => call.method === "GET" && call.path.includes("/git/blobs/"))
        .length;
    const before = blobReads();
    expect((await workspace.readBytes("big.txt", 0, 0)).size).toBe(big.length);
    await expect(workspace.readBytes("big.txt", 0, 100)).rejects.toThrow(
      `Could not read big.txt: it has ${big.length} bytes, more than the 10485760 bytes read through GitHub's API`,
    );
    expect(blobReads()).toBe(before);

    expect(await workspace.readBytes("logo.png", 1, 2)).toEqual({
      bytes: Buffer.from([0x50, 0]),
      size: 4,
      executable: false,
    });
    await expect(workspace.readFile("logo.png")).rejects.toThrow(
      "Could not read logo.png: it is a binary file (4 bytes)",
    );
    // A file written in this invocation is read from memory.
    await workspace.writeFile("new.md", "hello\n");
    expect(await workspace.readBytes("new.md", 0, 3)).toEqual({
      bytes: Buffer.from("hel"),
      size: 6,
      executable: false,
    });
    expect(blobReads()).toBe(before + 1);
  });

  it("never follows a symlink, but may delete one", async () => {
    const workspace = await provider().open(request);
    await expect(workspace.readFile("link.md")).rejects.toThrow(
      "Could not read link.md: it is a symlink",
    );
    await expect(workspace.writeFile("link.md", "x")).rejects.toThrow(
      "Could not write link.md: it is a symlink",
    );
    await expect(workspace.readFile("linkdir/index.ts")).rejects.toBeInstanceOf(
      PathOutsideWorkspaceError,
    );
    await expect(workspace.writeFile("linkdir/new.ts", "x")).rejects.toThrow(
      /goes through a symlink/,
    );
    expect(await workspace.deleteFile("link.md")).toBe(true);
  });

  it("names directories and files in the way as plainly as the local workspace does", async () => {
    const workspace = await provider().open(request);
    await expect(workspace.readFile("src")).rejects.toThrow(
      "Could not read src: it is a directory",
    );
    await expect(workspace.writeFile("src", "x")).rejects.toThrow(
      "Could not write src: it is a directory",
    );
    await expect(workspace.deleteFile("src")).rejects.toThrow(
      "Could not delete src: it is a directory",
    );
    await expect(workspace.writeFile("README.md/x", "x")).rejects.toThrow(
      "Could not write README.md/x: a file stands where a directory is needed",
    );
    await expect(workspace.readFile("missing.md")).rejects.toThrow(
      "Could not read missing.md: no such file",
    );
  });

  it("normalises paths the way the local workspace does", async () => {
    const workspace = await provider().open(request);
    expect(await workspace.writeFile("./docs//a/./b.md", "b\n")).toBe("created");
    expect(await workspace.listFiles()).toContain("docs/a/b.md");
    expect(await workspace.readFile("docs/a/b.md")).toBe("b\n");
  });
});

describe("opening without what GitHub needs", () => {
  it("passes a GitHub failure on with GitHub's status, and never with the token", async () => {
    github.failNextRequest(502, "Server Error");
    const error = await rejection(provider().open(request));
    expect(error).toMatchObject({ status: 502 });
    expect(inspect(error, { depth: 10 })).not.toContain(github.token);
    expect(JSON.stringify(error)).not.toContain(github.token);
  });

  it("fails with a WorkspaceError when no token is configured, naming GITHUB_TOKEN", async () => {
    const error = await rejection(provider(noToken).open(request));
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toMatch(/No GitHub token is configured.*GITHUB_TOKEN/);
  });

  it("fails with a WorkspaceError for a repository that is not owner/name", async () => {
    const error = await rejection(provider().open({ ...request, repository: "/tmp/repo" }));
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toBe("/tmp/repo is not a GitHub repository (owner/name)");
  });

  it("refuses a branch name git would refuse when publishing, creating nothing", async () => {
    const bad = { ...request, branch: "amelia/bad..name" };
    const workspace = await provider().open(bad);
    await workspace.writeFile("feature.md", "x\n");
    await workspace.commit("Feature");
    const error = await rejection(
      provider().publish({
        id: bad.workflowId,
        issueId: bad.issueId,
        repository: bad.repository,
        branch: bad.branch,
        iteration: { plan: 1, review: 1 },
      }),
    );
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toMatch(/GitHub refused to create branch amelia\/bad\.\.name/);
    expect(github.branchTip(repository, "amelia/bad..name")).toBeUndefined();
  });
});

describe("publishing the work as a pull request", () => {
  const workflow = (overrides: object = {}) => ({
    id: request.workflowId,
    issueId: "PROJ-1",
    title: "Add a dark mode",
    repository: repository.toLowerCase(),
    branch: "amelia/PROJ-1",
    plan: "1. Add a toggle",
    review: { approved: true, severity: "none" as const, comments: [] },
    iteration: { plan: 1, review: 2 },
    ...overrides,
  });

  it("creates the branch at the work only now, opens one against the default branch, and finds it again when retried", async () => {
    const workspace = await provider().open(request);
    await workspace.writeFile("feature.md", "dark\n");
    const commit = await workspace.commit("Feature");
    const updates = () =>
      github.refUpdates.filter((update) => update.repository === repository.toLowerCase());
    expect(updates().map(({ ref, action }) => `${action} ${ref}`)).toEqual([
      `create ${workRef}`,
      `update ${workRef}`,
    ]);

    const published = await provider().publish(workflow());
    expect(github.branchTip(repository, "amelia/PROJ-1")).toBe(commit);
    // The branch holds the work now: the work-in-progress ref is gone.
    expect(github.refTip(repository, workRef)).toBeUndefined();
    expect(updates().slice(2)).toEqual([
      {
        repository: repository.toLowerCase(),
        ref: "refs/heads/amelia/PROJ-1",
        action: "create",
        sha: commit,
      },
      { repository: repository.toLowerCase(), ref: workRef, action: "delete" },
    ]);
    expect(published.pullRequestUrl).toBe(`${github.url}/${repository}/pull/1`);
    const [pull] = github.pullRequests(repository);
    expect(pull).toMatchObject({
      title: "Add a dark mode",
      head: "amelia/PROJ-1",
      base: "main",
      state: "open",
    });
    expect(pull?.body).toContain("Amelia's work on issue `PROJ-1`.");
    expect(pull?.body).toContain("Approved by the reviewer agent after 2 rounds.");
    expect(pull?.body).toContain("## Plan\n\n1. Add a toggle");
    expect(pull?.body).toContain("## Checks\n\nNo checks ran.\n");

    expect(await provider().publish(workflow())).toEqual(published);
    expect(github.pullRequests(repository)).toHaveLength(1);
  });

  it("moves an existing branch forward to the work, and never over someone else's push", async () => {
    github.createBranch(repository, "amelia/PROJ-1", "main");
    const workspace = await provider().open(request);
    await workspace.writeFile("feature.md", "dark\n");
    const commit = await workspace.commit("Feature");
    const theirs = github.pushCommit(repository, "amelia/PROJ-1", { "theirs.md": "t\n" }, "Theirs");

    const error = await rejection(provider().publish(workflow()));
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toMatch(/^Branch amelia\/PROJ-1 of .* changed on GitHub/);
    expect(github.branchTip(repository, "amelia/PROJ-1")).toBe(theirs);
    // Nothing is lost: the work stays on its ref for a retry after the branch is sorted out.
    expect(github.refTip(repository, workRef)).toBe(commit);
    expect(github.pullRequests(repository)).toHaveLength(0);
  });

  it("closes the issue it came from when that issue is in the same repository", async () => {
    const workspace = await provider().open({ ...request, branch: "amelia/issue-7" });
    await workspace.writeFile("fix.md", "fixed\n");
    await workspace.commit("Fix");
    await provider().publish(
      workflow({
        issueId: `${repository}#7`,
        title: undefined,
        branch: "amelia/issue-7",
        review: { approved: false, severity: "minor", comments: ["a.md:1 — tidy this"] },
      }),
    );
    const [pull] = github.pullRequests(repository);
    expect(pull?.title).toBe(`Amelia: ${repository}#7`);
    expect(pull?.body).toContain("\nCloses #7\n");
    expect(pull?.body).toContain("the last review found minor issues:\n- a.md:1 — tidy this");
  });

  it("tells the latest round's checks in a table, before the plan", async () => {
    const workspace = await provider().open(request);
    await workspace.writeFile("feature.md", "dark\n");
    await workspace.commit("Feature");
    const results = [
      { name: "typecheck", exitCode: 0, durationMs: 4_210, timedOut: false },
      { name: "unit tests", exitCode: 1, durationMs: 95_000, timedOut: false },
      { name: "e2e", exitCode: 137, durationMs: 600_000, timedOut: true },
    ];
    await provider().publish(
      workflow({ checks: { round: 3, runId: "r", passed: false, results } }),
    );
    const [pull] = github.pullRequests(repository);
    expect(pull?.body).toContain(
      [
        "## Checks",
        "",
        "Round 3: 2 of 3 checks failed.",
        "",
        "| Check | Result | Duration |",
        "| --- | --- | --- |",
        "| typecheck | passed | 4.2 s |",
        "| unit tests | **failed (exit 1)** | 95.0 s |",
        "| e2e | **timed out** | 600.0 s |",
        "",
        "## Plan",
      ].join("\n"),
    );
  });

  it("says every check passed when they did", async () => {
    const workspace = await provider().open(request);
    await workspace.writeFile("feature.md", "dark\n");
    await workspace.commit("Feature");
    const results = [{ name: "test", exitCode: 0, durationMs: 300, timedOut: false }];
    await provider().publish(workflow({ checks: { round: 1, runId: "r", passed: true, results } }));
    const [pull] = github.pullRequests(repository);
    expect(pull?.body).toContain("Round 1: every check passed.\n\n| Check | Result | Duration |");
    expect(pull?.body).toContain("| test | passed | 0.3 s |");
  });

  it("opens none, and creates no branch, when the work adds nothing to the default branch", async () => {
    await provider().open(request);
    expect(await provider().publish(workflow())).toEqual({});
    expect(github.pullRequests(repository)).toHaveLength(0);
    expect(github.branchTip(repository, "amelia/PROJ-1")).toBeUndefined();
  });

  it("opens none when the branch was never created", async () => {
    expect(await provider().publish(workflow())).toEqual({});
  });
});

describe("the fake GitHub", () => {
  it("stores real git objects: its trees have the ids git gives the same files", async () => {
    const repo = tempDir("amelia-fidelity-");
    git(repo, "init", "--quiet");
    writeFiles(repo, {
      "README.md": "# Project\n",
      "src/index.ts": "export const answer = 42;\n",
      "bin/run.sh": "#!/bin/sh\necho run\n",
    });
    chmodSync(join(repo, "bin/run.sh"), 0o755);
    symlinkSync("README.md", join(repo, "link.md"));
    symlinkSync("src", join(repo, "linkdir"));
    git(repo, "add", "-A");
    const response = await fetch(
      `${github.url}/repos/${repository}/git/commits/${github.branchTip(repository, "main")}`,
      { headers: { authorization: `token ${github.token}`, "user-agent": "test" } },
    );
    const commit = (await response.json()) as { tree: { sha: string } };
    expect(commit.tree.sha).toBe(git(repo, "write-tree"));
  });
});
