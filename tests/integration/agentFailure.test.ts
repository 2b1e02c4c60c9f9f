import { rm, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { oneTo, sequencesOf } from "../support/api";
import { createGitRepository } from "../support/git";
import { useTestRuntime } from "../support/runtime";
import { WsClient } from "../support/ws";
import { createAtPlanGate, ofType } from "../support/workflows";

const fixture = useTestRuntime();

describe("an agent task that throws", () => {
  it("is retried by the state machine, then the workflow fails with a reason naming the stage", async () => {
    const repository = await createGitRepository();
    const workflow = await createAtPlanGate(fixture.api, {
      issueId: "FAULT-1",
      title: "Break the developer",
      repository,
    });
    // The architect already made the worktree, under the runtime's data directory.
    const worktree = path.join(fixture.runtime.dataDir, "workspaces", workflow.id);
    expect((await stat(worktree)).isDirectory()).toBe(true);

    const watcher = await WsClient.connect(fixture.runtime.wsUrl);
    watcher.send({ action: "subscribe", workflowId: workflow.id });
    await watcher.waitFor((m) => m.type === "subscribed");

    // A real fault: the person's repository disappears while the workflow waits at the gate.
    // The worktree directory survives, but its `.git` file points into the deleted repository,
    // and the developer re-checks the repository before opening its workspace: every attempt
    // throws.
    await rm(repository, { recursive: true, force: true });
    const approved = await fixture.api.approve(workflow.id);
    expect(approved.status).toBe(200);

    const failed = await fixture.api.waitForStatus(workflow.id, "failed");
    expect(failed.stage).toBe("developer");
    expect(failed.failureReason).toMatch(/^The developer stage failed: /);
    expect(failed.failureReason).toContain(repository);
    expect(failed.completedAt).toBeDefined();

    const events = await fixture.api.events(workflow.id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));

    // Each attempt is visible: the state machine retried the developer (2 retries: 3 attempts).
    const attempts = ofType(events, "system_error").filter((e) => e.agent === "developer");
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts).toHaveLength(3);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ level: "error", data: { stage: "developer" } });
      expect(attempt.data.error).toContain(repository);
    }
    const starts = ofType(events, "stage_started").filter((e) => e.data.stage === "developer");
    expect(starts).toHaveLength(3);
    // A retried attempt runs the same round again; it does not count a new one.
    expect(starts.map((e) => e.data.round)).toEqual([1, 1, 1]);

    // The end is recorded once, last, with the reason; nothing else ran after it.
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      type: "workflow_failed",
      agent: "system",
      level: "error",
      data: { reason: failed.failureReason, stage: "developer" },
    });
    expect(ofType(events, "workflow_failed")).toHaveLength(1);
    expect(events.some((e) => e.agent === "reviewer")).toBe(false);

    // The subscriber was told live.
    await watcher.waitFor((m) => m.type === "event" && m.event.type === "workflow_failed");
    await watcher.close();

    // A failed workflow is terminal: no decision, no cancel, and the issue is free again.
    expect((await fixture.api.approve(workflow.id)).status).toBe(422);
    expect((await fixture.api.cancel(workflow.id)).status).toBe(422);
    expect(await fixture.api.events(workflow.id)).toHaveLength(events.length);
    const again = await fixture.api.create({ issueId: "FAULT-1" });
    expect(again.status).toBe(201);
    await fixture.api.waitForStatus(again.body.id, "blocked");
    await fixture.api.cancel(again.body.id);
  });
});
