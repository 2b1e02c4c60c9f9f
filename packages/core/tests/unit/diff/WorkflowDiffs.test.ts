import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatFileDiff } from "../../../../client/src/diff";
import { DIFF_FILE_LINES } from "../../../src/definitions/limits";
import { WorkflowDiffs } from "../../../src/diff/WorkflowDiffs";
import { InvalidStateError, ValidationError } from "../../../src/errors";
import { LocalGitWorkspaceProvider } from "../../../src/workspace/LocalGitWorkspaceProvider";
import { gitFileDiffs } from "../../../../../tests/support/git";
import { MemoryWorkflow } from "../agents/memoryWorkflow";
import {
  git,
  isolateGitConfig,
  makeRepository,
  removeTempDirs,
  tempDir,
  writeFiles,
} from "../workspace/gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

const lines = (count: number, text = "line") =>
  Array.from({ length: count }, (_, i) => `${text} ${i + 1}\n`).join("");

/**
 * A repository whose round-1 commit adds, modifies, deletes, renames (with an edit), changes a
 * binary file, makes a file executable, adds one without a final newline and one of 20,000
 * lines; round 2 changes the README; round 3 commits nothing.
 */
function repositoryWithRounds() {
  const repo = makeRepository();
  writeFiles(repo, {
    "src/index.ts": "export function answer() {\n  return 42;\n}\n\nexport const name = 'x';\n",
    "old.txt": "to be deleted\n",
    "move-me.txt": lines(40),
    "run.sh": "echo hi\n",
  });
  writeFileSync(join(repo, "logo.png"), Buffer.from([0x89, 0x50, 0x00, 0x01, 0x02]));
  git(repo, "add", "-A");
  git(repo, "commit", "--quiet", "-m", "Base");
  const base = git(repo, "rev-parse", "HEAD");
  writeFiles(repo, {
    "src/index.ts": "export function answer() {\n  return 43;\n}\n\nexport const name = 'y';\n",
    "moved.txt": lines(40).replace("line 20\n", "line twenty\n"),
    "big.txt": lines(20_000),
    "no-newline.txt": "first\nlast",
  });
  rmSync(join(repo, "old.txt"));
  rmSync(join(repo, "move-me.txt"));
  chmodSync(join(repo, "run.sh"), 0o755);
  writeFileSync(join(repo, "logo.png"), Buffer.from([0x89, 0x50, 0x00, 0x09, 0x02]));
  git(repo, "add", "-A");
  git(repo, "commit", "--quiet", "-m", "Round 1");
  const round1 = git(repo, "rev-parse", "HEAD");
  writeFiles(repo, { "README.md": "# Project\n\nNow with rounds.\n" });
  git(repo, "commit", "--quiet", "-am", "Round 2");
  const round2 = git(repo, "rev-parse", "HEAD");
  return { repo, base, round1, round2 };
}

function developerRound(run: MemoryWorkflow, round: number, commit?: string, baseCommit?: string) {
  run.append({
    type: "stage_started",
    agent: "developer",
    level: "info",
    message: `Developer round ${round}`,
    data: { stage: "developer", round },
  });
  run.append({
    type: "stage_completed",
    agent: "developer",
    level: "info",
    message: "Developer finished",
    data: {
      stage: "developer",
      ...(commit !== undefined && { commit }),
      ...(baseCommit !== undefined && { baseCommit }),
    },
  });
}

function diffsOf(run: MemoryWorkflow) {
  return new WorkflowDiffs({
    workflows: { get: async () => run.workflow, history: async () => [...run.events] },
    workspaces: new LocalGitWorkspaceProvider(tempDir("amelia-data-")),
  });
}

describe("a developer round's diff from a local repository", () => {
  const { repo, base, round1, round2 } = repositoryWithRounds();
  const run = new MemoryWorkflow("wf-diff", { issueId: "DIFF-1", repository: repo });
  developerRound(run, 1, round1, base);
  developerRound(run, 2, round2, base);
  developerRound(run, 3, undefined, base);

  it("is git's diff of the round's commit against the base, file by file", async () => {
    const diff = await diffsOf(run).diff("wf-diff", 1);
    const expected = gitFileDiffs(repo, base, round1);
    expect(diff).toMatchObject({ round: 1, rounds: [1, 2, 3], baseCommit: base, commit: round1 });
    expect(diff.files.map((f) => f.path).sort()).toEqual([...expected.keys()].sort());
    for (const file of diff.files) {
      if (file.path === "big.txt") continue;
      expect(formatFileDiff(file), file.path).toBe(expected.get(file.path));
    }
  });

  it("names each file's status and counts its lines as git does", async () => {
    const diff = await diffsOf(run).diff("wf-diff", 1);
    const numstat = git(repo, "diff", "--numstat", "--find-renames", base, round1)
      .split("\n")
      .map((row) => row.split("\t"));
    for (const [added, removed, name] of numstat) {
      const path = name!.replace(/^move-me\.txt => /, "");
      const file = diff.files.find((f) => f.path === path);
      expect(file, path).toBeDefined();
      expect([file!.additions, file!.deletions], path).toEqual(
        added === "-" ? [0, 0] : [Number(added), Number(removed)],
      );
      expect(file!.binary, path).toBe(added === "-");
    }
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(byPath["big.txt"]).toMatchObject({ status: "added", newMode: "100644" });
    expect(byPath["old.txt"]).toMatchObject({ status: "deleted", deletions: 1 });
    expect(byPath["moved.txt"]).toMatchObject({ status: "renamed", previousPath: "move-me.txt" });
    expect(byPath["run.sh"]).toMatchObject({
      status: "modified",
      oldMode: "100644",
      newMode: "100755",
      hunks: [],
    });
    expect(byPath["logo.png"]).toMatchObject({ status: "modified", binary: true, hunks: [] });
    expect(byPath["no-newline.txt"]?.hunks[0]?.lines).toEqual([
      "+first",
      "+last",
      "\\ No newline at end of file",
    ]);
    expect(diff.totals).toEqual({
      files: diff.files.length,
      additions: 20_000 + 2 + 2 + 1,
      deletions: 2 + 1 + 1,
    });
  });

  it("cuts a 20,000-line file with a marker, keeping its counts and the lines it shows", async () => {
    const diff = await diffsOf(run).diff("wf-diff", 1);
    const big = diff.files.find((f) => f.path === "big.txt")!;
    expect(diff.truncated).toBe(true);
    expect(big.additions).toBe(20_000);
    expect(big.truncated).toEqual({ shownLines: DIFF_FILE_LINES, totalLines: 20_000 });
    // The header keeps the whole hunk's counts; the lines are git's first ones.
    expect(big.hunks).toEqual([
      { oldStart: 0, oldLines: 0, newStart: 1, newLines: 20_000, lines: expect.any(Array) },
    ]);
    const gitLines = gitFileDiffs(repo, base, round1).get("big.txt")!.split("\n");
    expect(big.hunks[0]!.lines).toEqual(gitLines.slice(5, 5 + DIFF_FILE_LINES));
    // The marker ends the cut file, so the cut patch never applies as if it were whole.
    expect(formatFileDiff(big)).toMatch(
      /\n\[cut: 5000 of 20000 lines of this file's diff are shown\]\n$/,
    );
  });

  it("shows the latest round by default; a round that committed nothing shows the one before", async () => {
    const latest = await diffsOf(run).diff("wf-diff");
    expect(latest).toMatchObject({ round: 3, commit: round2, truncated: true });
    const readme = latest.files.find((f) => f.path === "README.md");
    expect(readme).toMatchObject({ status: "modified", additions: 2, deletions: 0 });
    const second = await diffsOf(run).diff("wf-diff", 2);
    expect(second.commit).toBe(round2);
    expect(second.totals).toEqual(latest.totals);
  });

  it("refuses a round that did not finish, naming the rounds there are", async () => {
    const error = await diffsOf(run)
      .diff("wf-diff", 9)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      statusCode: 400,
      details: [{ field: "round", message: expect.stringContaining("its rounds: 1, 2, 3") }],
    });
  });
});

describe("a workflow without a diff", () => {
  it("answers 422 before any developer round committed", async () => {
    const run = new MemoryWorkflow("wf-empty", { issueId: "DIFF-2" });
    developerRound(run, 1);
    const error = await diffsOf(run)
      .diff("wf-empty")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error).toMatchObject({
      statusCode: 422,
      message: expect.stringContaining("no changes yet"),
    });
  });

  it("answers 422, naming the commit, for a log written before rounds recorded their base", async () => {
    const run = new MemoryWorkflow("wf-old", { issueId: "DIFF-3" });
    developerRound(run, 1, "c".repeat(40));
    const error = await diffsOf(run)
      .diff("wf-old")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 422, details: { commit: "c".repeat(40) } });
  });
});
