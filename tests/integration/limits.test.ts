import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import { createGitRepository, gitOutput } from "../support/git";
import { useTestRuntime } from "../support/runtime";
import { allWorkflowIds, cancelAllActive, createAtPlanGate } from "../support/workflows";

const repositories: string[] = [];

const fixture = useTestRuntime({ env: { AMELIA_MAX_ACTIVE_WORKFLOWS: "2" } });
afterAll(async () => {
  await Promise.all(repositories.map((r) => rm(r, { recursive: true, force: true })));
});
afterEach(() => cancelAllActive(fixture.api));

async function repository(): Promise<string> {
  const path = await createGitRepository();
  repositories.push(path);
  return path;
}

async function activeIds(): Promise<string[]> {
  const response = await fixture.api.request<{ workflows: Workflow[] }>(
    "GET",
    "/api/workflows/active",
  );
  return response.body.workflows.map((w) => w.id);
}

describe("409 WORKFLOW_CONFLICT: one active workflow per repository + issueId", () => {
  it("refuses a second workflow for the same issue without a repository, until the first is cancelled", async () => {
    const first = await createAtPlanGate(fixture.api, { issueId: "CONFLICT-1" });
    const before = await allWorkflowIds(fixture.api);

    const second = await fixture.api.create({ issueId: "CONFLICT-1", title: "Again" });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe("WORKFLOW_CONFLICT");
    expect(second.body.details).toEqual({ activeWorkflowId: first.id });
    expect(await allWorkflowIds(fixture.api)).toEqual(before);

    expect((await fixture.api.cancel(first.id)).status).toBe(200);
    const third = await fixture.api.create({ issueId: "CONFLICT-1" });
    expect(third.status).toBe(201);
    expect(third.body.id).not.toBe(first.id);
  });

  it("refuses the same issue in the same repository; allows it in a different repository", async () => {
    const repoA = await repository();
    const repoB = await repository();
    const first = await createAtPlanGate(fixture.api, { issueId: "CONFLICT-2", repository: repoA });

    const same = await fixture.api.create({ issueId: "CONFLICT-2", repository: repoA });
    expect(same.status).toBe(409);
    expect(same.body.code).toBe("WORKFLOW_CONFLICT");
    expect(same.body.details).toEqual({ activeWorkflowId: first.id });

    const elsewhere = await fixture.api.create({ issueId: "CONFLICT-2", repository: repoB });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.repository).toBe(gitOutput(repoB, "rev-parse", "--show-toplevel"));
    expect((await activeIds()).sort()).toEqual([first.id, elsewhere.body.id].sort());
  });

  it("the same repository spelled differently (trailing slash, a subdirectory) still conflicts", async () => {
    const repo = await repository();
    await mkdir(path.join(repo, "src", "deep"), { recursive: true });
    const first = await createAtPlanGate(fixture.api, {
      issueId: "CONFLICT-4",
      repository: `${repo}/`,
    });
    // The workflow keeps the repository's one canonical path.
    expect(first.repository).toBe(gitOutput(repo, "rev-parse", "--show-toplevel"));

    for (const spelling of [repo, `${repo}/./`, path.join(repo, "src", "deep")]) {
      const again = await fixture.api.create({ issueId: "CONFLICT-4", repository: spelling });
      expect(again.status, spelling).toBe(409);
      expect(again.body.details).toEqual({ activeWorkflowId: first.id });
    }
    // Had one slipped through, its architect would fail: git refuses to check the workflow's
    // branch out in a second worktree. The first workflow is untouched either way.
    expect((await fixture.api.get(first.id)).body).toMatchObject({
      status: "blocked",
      gate: "plan",
    });
  });

  it("a workflow that ended (completed) frees its issue", async () => {
    const first = await createAtPlanGate(fixture.api, { issueId: "CONFLICT-3" });
    expect((await fixture.api.approve(first.id)).status).toBe(200);
    await fixture.api.waitForStatus(first.id, "completed");
    const again = await fixture.api.create({ issueId: "CONFLICT-3" });
    expect(again.status).toBe(201);
  });
});

describe("429 CONCURRENCY_LIMIT (AMELIA_MAX_ACTIVE_WORKFLOWS=2)", () => {
  it("refuses a third active workflow, and accepts one again after a cancel", async () => {
    const first = await createAtPlanGate(fixture.api, { issueId: "LIMIT-1" });
    const second = await createAtPlanGate(fixture.api, { issueId: "LIMIT-2" });
    const before = await allWorkflowIds(fixture.api);

    const third = await fixture.api.create({ issueId: "LIMIT-3" });
    expect(third.status).toBe(429);
    expect(third.body.code).toBe("CONCURRENCY_LIMIT");
    expect(third.body.details).toEqual({ limit: 2 });
    expect(await allWorkflowIds(fixture.api)).toEqual(before);

    // The refused create must not keep its issue: after the cancel it is free to use.
    expect((await fixture.api.cancel(first.id)).status).toBe(200);
    const retried = await fixture.api.create({ issueId: "LIMIT-3" });
    expect(retried.status).toBe(201);
    expect((await activeIds()).sort()).toEqual([second.id, retried.body.id].sort());

    const fourth = await fixture.api.create({ issueId: "LIMIT-4" });
    expect(fourth.status).toBe(429);
  });

  it("many creates at once never exceed the limit", async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, n) => fixture.api.create({ issueId: `BURST-${n}` })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 429, 429, 429, 429]);
    expect(await activeIds()).toHaveLength(2);
    // Let the two reach their gate before the clean-up cancels them.
    for (const response of responses.filter((r) => r.status === 201)) {
      await fixture.api.waitForStatus(response.body.id, "blocked");
    }
  });

  it("a workflow that completes frees its slot", async () => {
    const first = await createAtPlanGate(fixture.api, { issueId: "SLOT-1" });
    await createAtPlanGate(fixture.api, { issueId: "SLOT-2" });
    expect((await fixture.api.create({ issueId: "SLOT-3" })).status).toBe(429);

    expect((await fixture.api.approve(first.id)).status).toBe(200);
    await fixture.api.waitForStatus(first.id, "completed");
    const third = await createAtPlanGate(fixture.api, { issueId: "SLOT-3" });
    expect(third.status).toBe("blocked");
  });
});
