import { execFileSync } from "node:child_process";
import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { formatFileDiff } from "../../packages/client/src/diff";
import type { WorkflowDiff } from "../../packages/core/src/diff/WorkflowDiff";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import { createGitRepository, gitFileDiffs } from "../support/git";
import { useFakeGitHub, useTestRuntime } from "../support/runtime";
import { approveToReviewGate, createAtPlanGate, ofType } from "../support/workflows";

const fake = useFakeGitHub();
const fixture = useTestRuntime({ env: { AMELIA_MAX_REVIEW_ROUNDS: "1" } });

const repositories: string[] = [];
afterAll(async () => {
  await Promise.all(repositories.map((r) => rm(r, { recursive: true, force: true })));
});

const diffOf = (id: string, query = "") =>
  fixture.api.request<WorkflowDiff>("GET", `/api/workflows/${id}/diff${query}`);

function expectGitsDiff(diff: WorkflowDiff, repository: string): void {
  const expected = gitFileDiffs(repository, diff.baseCommit, diff.commit);
  expect(diff.files.map((f) => f.path).sort()).toEqual([...expected.keys()].sort());
  for (const file of diff.files)
    expect(formatFileDiff(file), file.path).toBe(expected.get(file.path));
}

async function atReviewGate(body: Record<string, unknown>): Promise<Workflow> {
  const planned = await createAtPlanGate(fixture.api, body);
  // The plan is not code: nothing to show before the developer commits.
  const early = await diffOf(planned.id);
  expect(early.status).toBe(422);
  expect(early.body).toMatchObject({
    code: "INVALID_STATE",
    error: expect.stringContaining("no changes yet"),
  });
  return approveToReviewGate(fixture.api, planned.id);
}

describe("GET /api/workflows/{id}/diff on a local repository", () => {
  it("answers each round's change as git diff does, the latest by default", async () => {
    const repository = await createGitRepository();
    repositories.push(repository);
    const workflow = await atReviewGate({
      issueId: "DIFF-1",
      title: "Log greetings",
      description: "Log each greeting.",
      repository,
    });
    const first = await diffOf(workflow.id);
    expect(first.status).toBe(200);
    const base = execFileSync("git", ["rev-parse", "main"], { cwd: repository, encoding: "utf8" });
    const branchHead = execFileSync("git", ["rev-parse", workflow.branch!], {
      cwd: repository,
      encoding: "utf8",
    });
    expect(first.body).toMatchObject({
      workflowId: workflow.id,
      round: 1,
      rounds: [1],
      baseCommit: base.trim(),
      commit: branchHead.trim(),
      truncated: false,
    });
    expect(first.body.links).toBeUndefined();
    expect(first.body.totals.additions).toBeGreaterThan(0);
    expectGitsDiff(first.body, repository);
    // The reviewer's comment names a line the round added.
    const [comment] = workflow.review!.comments;
    const [, path, line] = /^(\S+):(\d+) /.exec(comment!)!;
    const file = first.body.files.find((f) => f.path === path)!;
    const hunk = file.hunks.find(
      (h) => h.newStart <= Number(line) && Number(line) < h.newStart + h.newLines,
    );
    expect(hunk).toBeDefined();

    expect((await fixture.api.reject(workflow.id, "Resolve the TODO lines")).status).toBe(200);
    const done = await fixture.api.waitForStatus(workflow.id, "completed");
    const second = await diffOf(done.id);
    expect(second.body).toMatchObject({ round: 2, rounds: [1, 2], baseCommit: base.trim() });
    expect(second.body.commit).not.toBe(first.body.commit);
    expectGitsDiff(second.body, repository);
    // Round 1 stays as it was.
    expect((await diffOf(done.id, "?round=1")).body).toEqual({ ...first.body, rounds: [1, 2] });
    const completions = ofType(await fixture.api.events(done.id), "stage_completed");
    expect(
      completions.filter((e) => e.data.stage === "developer").map((e) => e.data.commit),
    ).toEqual([first.body.commit, second.body.commit]);
  });

  it("answers 404 for an unknown workflow and 400 for a bad round", async () => {
    const unknown = await diffOf("no-such-workflow");
    expect(unknown.status).toBe(404);
    const repository = await createGitRepository();
    repositories.push(repository);
    const workflow = await atReviewGate({ issueId: "DIFF-2", title: "Greet", repository });
    for (const round of ["0", "-1", "1.5", "abc", ""]) {
      const answer = await diffOf(workflow.id, `?round=${round}`);
      expect(answer.status, round).toBe(400);
      expect(answer.body, round).toMatchObject({
        code: "VALIDATION_ERROR",
        details: [expect.objectContaining({ field: "round" })],
      });
    }
    const future = await diffOf(workflow.id, "?round=2");
    expect(future.status).toBe(400);
    expect(future.body).toMatchObject({
      details: [{ field: "round", message: expect.stringContaining("its rounds: 1") }],
    });
    const extra = await diffOf(workflow.id, "?page=2");
    expect(extra.status).toBe(400);
    await fixture.api.cancel(workflow.id);
  });
});

describe("GET /api/workflows/{id}/diff on a GitHub repository", () => {
  it("reads the stored commits through GitHub's API and links the commit and the pull request's files", async () => {
    fake.github.addRepository("Octo-Org/Diff", {
      files: { "README.md": "# Diff\n", "docs/old.md": "Old notes\n" },
    });
    const issue = fake.github.addIssue("Octo-Org/Diff", {
      title: "Document the API",
      body: "Describe it",
    });
    const workflow = await atReviewGate({
      issueId: `octo-org/diff#${issue}`,
      repository: "Octo-Org/Diff",
    });
    const atGate = await diffOf(workflow.id);
    expect(atGate.status).toBe(200);
    const document = atGate.body.files.find((f) => f.status === "added");
    expect(document?.path).toMatch(/^docs\/amelia\//);
    const content = fake.github.filesAt("octo-org/diff", atGate.body.commit)[document!.path]!;
    expect(document!.additions).toBe(content.trimEnd().split("\n").length);
    expect(document!.hunks[0]!.lines).toEqual(
      content
        .trimEnd()
        .split("\n")
        .map((l) => `+${l}`),
    );
    expect(atGate.body.links).toEqual({
      commit: `${fake.github.url}/Octo-Org/Diff/commit/${atGate.body.commit}`,
      compare: `${fake.github.url}/Octo-Org/Diff/compare/${atGate.body.baseCommit}...${atGate.body.commit}`,
    });

    expect((await fixture.api.approve(workflow.id)).status).toBe(200);
    const done = await fixture.api.waitForStatus(workflow.id, "completed");
    const after = await diffOf(done.id);
    expect(after.body.links?.pullRequestFiles).toBe(`${done.pullRequestUrl}/files`);
    expect(after.body.files).toEqual(atGate.body.files);
  });
});
