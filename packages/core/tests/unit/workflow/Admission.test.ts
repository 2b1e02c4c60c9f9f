import { describe, expect, it } from "vitest";
import { ConcurrencyLimitError, WorkflowConflictError } from "../../../src/errors";
import { keys } from "../../../src/store/table";
import { Admission, ABANDONED_CLAIM_MS } from "../../../src/workflow/Admission";
import { memoryDomain, TestClock } from "../../support/memoryDomain";
import { MemoryWorkflowStore } from "../../support/MemoryWorkflowStore";

function admission(maxActiveWorkflows = 2) {
  const store = new MemoryWorkflowStore();
  const clock = new TestClock();
  return {
    store,
    clock,
    admission: new Admission(store, store, { maxActiveWorkflows, clock: clock.read }),
  };
}

const lock = (issueId: string, repository?: string) => keys.issueLock(repository, issueId);

describe("admission: one active workflow per issue, at most N at once", () => {
  it("gives an issue to one workflow, and the same issue of another repository to another", async () => {
    const { store, clock, admission: a } = admission();
    await a.claim("wf-1", { issueId: "ISSUE-1" });
    expect(store.claimOf(lock("ISSUE-1"), keys.lock)).toEqual({
      workflowId: "wf-1",
      claimedAt: clock.now,
    });

    const conflict = await a.claim("wf-2", { issueId: "ISSUE-1" }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(WorkflowConflictError);
    expect(conflict).toMatchObject({ statusCode: 409, activeWorkflowId: "wf-1" });

    await a.claim("wf-2", { issueId: "ISSUE-1", repository: "/repos/other" });
    expect(store.claimOf(lock("ISSUE-1", "/repos/other"), keys.lock)?.workflowId).toBe("wf-2");
  });

  it("refuses a workflow over the limit (429) and gives back the issue it had claimed", async () => {
    const { store, admission: a } = admission(2);
    await a.claim("wf-1", { issueId: "A" });
    await a.claim("wf-2", { issueId: "B" });
    await expect(a.claim("wf-3", { issueId: "C" })).rejects.toBeInstanceOf(ConcurrencyLimitError);
    expect(store.claimOf(lock("C"), keys.lock)).toBeUndefined();
    expect([...(await store.slotHolders()).values()].map((c) => c.workflowId).sort()).toEqual([
      "wf-1",
      "wf-2",
    ]);
  });

  it("frees the issue and the slot of a released workflow", async () => {
    const { store, admission: a } = admission(1);
    await a.claim("wf-1", { issueId: "A" });
    await a.release({ id: "wf-1", issueId: "A" });
    expect(store.claimOf(lock("A"), keys.lock)).toBeUndefined();
    expect((await store.slotHolders()).size).toBe(0);
    await a.claim("wf-2", { issueId: "A" });
    expect(store.claimOf(lock("A"), keys.lock)?.workflowId).toBe("wf-2");
  });

  it("releases only what the workflow itself holds", async () => {
    const { store, admission: a } = admission(2);
    await a.claim("wf-1", { issueId: "A" });
    await a.release({ id: "wf-other", issueId: "A" });
    expect(store.claimOf(lock("A"), keys.lock)?.workflowId).toBe("wf-1");
    expect((await store.slotHolders()).size).toBe(1);
  });

  it("reclaims an issue claim older than a minute that never got a workflow (a create that died)", async () => {
    const { store, clock, admission: a } = admission();
    store.seedClaim(lock("A"), keys.lock, { workflowId: "wf-dead", claimedAt: clock.now });
    clock.advance(ABANDONED_CLAIM_MS + 1);
    await a.claim("wf-2", { issueId: "A" });
    expect(store.claimOf(lock("A"), keys.lock)).toEqual({
      workflowId: "wf-2",
      claimedAt: clock.now,
    });
  });

  it("leaves a young claim with no workflow yet alone: a create still in flight", async () => {
    const { store, clock, admission: a } = admission();
    store.seedClaim(lock("A"), keys.lock, { workflowId: "wf-busy", claimedAt: clock.now });
    clock.advance(ABANDONED_CLAIM_MS - 1);
    await expect(a.claim("wf-2", { issueId: "A" })).rejects.toMatchObject({
      code: "WORKFLOW_CONFLICT",
      activeWorkflowId: "wf-busy",
    });
    expect(store.claimOf(lock("A"), keys.lock)?.workflowId).toBe("wf-busy");
  });

  it("reclaims an issue and a slot held by a workflow that ended without releasing them", async () => {
    const domain = memoryDomain({ maxActiveWorkflows: 1 });
    const ended = await domain.workflows.create({ issueId: "A" });
    // Cancel it, then put its claims back as if the release had been lost.
    await domain.workflows.cancel(ended.id);
    domain.store.seedClaim(lock("A"), keys.lock, {
      workflowId: ended.id,
      claimedAt: domain.clock.now,
    });
    domain.store.seedClaim(keys.slots, keys.slot(0), {
      workflowId: ended.id,
      claimedAt: domain.clock.now,
    });

    const next = await domain.workflows.create({ issueId: "A" });
    expect(domain.store.claimOf(lock("A"), keys.lock)?.workflowId).toBe(next.id);
    expect(domain.store.claimOf(keys.slots, keys.slot(0))?.workflowId).toBe(next.id);
  });

  it("does not reclaim a slot of a workflow that is still active", async () => {
    const domain = memoryDomain({ maxActiveWorkflows: 1 });
    const active = await domain.workflows.create({ issueId: "A" });
    domain.clock.advance(10 * ABANDONED_CLAIM_MS);
    await expect(domain.workflows.create({ issueId: "B" })).rejects.toBeInstanceOf(
      ConcurrencyLimitError,
    );
    expect(domain.store.claimOf(keys.slots, keys.slot(0))?.workflowId).toBe(active.id);
  });

  it("tries again when the holder it found released the issue before it could be read", async () => {
    const { store, clock, admission: a } = admission();
    store.seedClaim(lock("A"), keys.lock, { workflowId: "wf-leaving", claimedAt: clock.now });
    store.vanishNextClaims(1);
    await a.claim("wf-2", { issueId: "A" });
    expect(store.claimOf(lock("A"), keys.lock)?.workflowId).toBe("wf-2");
  });
});
