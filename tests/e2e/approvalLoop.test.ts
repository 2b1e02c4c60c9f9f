import { DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { sfnClient } from "../../packages/core/src/aws/clients";
import { executionArnFor } from "../../packages/core/src/definitions/stateMachine";
import { oneTo, sequencesOf } from "../support/api";
import { createGitRepository, gitOutput } from "../support/git";
import { useTestRuntime } from "../support/runtime";
import { WsClient } from "../support/ws";

const fixture = useTestRuntime({ callsCore: true });

describe("the whole approval loop, offline", () => {
  it("approve path: architect → plan gate → developer ⇄ reviewer → completed, pushed live", async () => {
    const repository = await createGitRepository();
    const watcher = await WsClient.connect(fixture.runtime.wsUrl);
    watcher.send({ action: "subscribe", workflowId: "*" });
    await watcher.waitFor((m) => m.type === "subscribed");

    const created = await fixture.api.create({
      issueId: "LOOP-1",
      title: "Greet users",
      description: "Show a greeting on the home page. Log each greeting.",
      repository,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked).toMatchObject({ gate: "plan", stage: "plan_approval", iteration: { plan: 1 } });
    expect(blocked.plan).toContain("Greet users");

    const approved = await fixture.api.approve(id);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("in_progress");

    const done = await fixture.api.waitForStatus(id, "completed");
    expect(done).toMatchObject({
      stage: "done",
      branch: "amelia/LOOP-1",
      iteration: { plan: 1, review: 2 },
    });
    expect(done.review).toMatchObject({ approved: true });

    const events = await fixture.api.events(id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(["workflow_created", "workflow_started"]);
    expect(types.at(-1)).toBe("workflow_completed");
    for (const type of [
      "approval_required",
      "approval_granted",
      "file_created",
      "review_completed",
      "revision_requested",
    ]) {
      expect(types).toContain(type);
    }
    expect(types.indexOf("approval_granted")).toBeLessThan(types.lastIndexOf("stage_started"));

    // The work is real: commits on the branch in a worktree, the person's checkout untouched.
    expect(gitOutput(repository, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(gitOutput(repository, "log", "--format=%s", "amelia/LOOP-1")).toMatch(
      /developer round 2/,
    );

    // Every stored event reached the live subscriber.
    await watcher.waitFor(
      (m) =>
        m.type === "event" && m.event.workflowId === id && m.event.type === "workflow_completed",
    );
    const pushed = [...new Set(sequencesOf(watcher.events(id)))].sort((a, b) => a - b);
    expect(pushed).toEqual(oneTo(events.length));
    await watcher.close();
  });

  it("reject path: the architect re-plans with the feedback, then the approved plan is built", async () => {
    const created = await fixture.api.create({ issueId: "LOOP-2", title: "Add a settings page" });
    const id = created.body.id;
    const first = await fixture.api.waitForStatus(id, "blocked");
    expect(first.iteration.plan).toBe(1);

    const feedback = "Also cover the dark mode toggle";
    const rejected = await fixture.api.reject(id, feedback);
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("in_progress");

    const second = await fixture.api.waitFor(
      id,
      (w) => w.status === "blocked" && w.iteration.plan === 2,
    );
    expect(second.gate).toBe("plan");
    expect(second.plan).toContain(feedback);
    expect(second.plan).not.toEqual(first.plan);

    await fixture.api.approve(id);
    await fixture.api.waitForStatus(id, "completed");
    const events = await fixture.api.events(id);
    const rejection = events.find((e) => e.type === "approval_rejected");
    expect(rejection?.data).toEqual({ gate: "plan", feedback, by: { source: "api" } });
    const architectRounds = events.filter(
      (e) => e.type === "stage_started" && e.agent === "architect",
    );
    expect(architectRounds.map((e) => (e.data as { round: number }).round)).toEqual([1, 2]);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
  });

  it("cancel path: a blocked workflow is stopped, recorded, and frees its issue", async () => {
    const created = await fixture.api.create({ issueId: "LOOP-3", title: "Something to cancel" });
    const id = created.body.id;
    await fixture.api.waitForStatus(id, "blocked");

    const cancelled = await fixture.api.cancel(id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled" });
    expect(cancelled.body.completedAt).toBeDefined();

    const events = await fixture.api.events(id);
    expect(events.at(-1)).toMatchObject({ type: "workflow_cancelled", agent: "human" });
    expect((await fixture.api.approve(id)).status).toBe(422);
    // The execution is stopped, so nothing more runs to append; and the issue can be started again.
    const execution = await sfnClient().send(
      new DescribeExecutionCommand({
        executionArn: executionArnFor(process.env.AMELIA_STATE_MACHINE_ARN!, id),
      }),
    );
    expect(execution.status).toBe("ABORTED");
    expect(await fixture.api.events(id)).toHaveLength(events.length);
    expect((await fixture.api.create({ issueId: "LOOP-3" })).status).toBe(201);
  });
});
