import { afterEach, describe, expect, it } from "vitest";
import { oneTo, sequencesOf } from "../support/api";
import { useTestRuntime } from "../support/runtime";
import { WsClient } from "../support/ws";
import { AwsServiceError } from "../../packages/local/src/aws/protocol/AwsServiceError";
import { allWorkflowIds, cancelAllActive, createAtPlanGate, ofType } from "../support/workflows";

const fixture = useTestRuntime();
/** The AWS SDK's default retry strategy: one call and two retries of a 5xx. */
const SDK_MAX_ATTEMPTS = 3;
afterEach(() => cancelAllActive(fixture.api));

describe("deciding when the workflow is not at a gate", () => {
  it("approve / reject / cancel a cancelled workflow → 422, and the log is unchanged", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "TERMINAL-1" });
    expect((await fixture.api.cancel(workflow.id)).status).toBe(200);
    const before = await fixture.api.events(workflow.id);

    for (const response of [
      await fixture.api.approve(workflow.id),
      await fixture.api.reject(workflow.id, "Too late"),
      await fixture.api.cancel(workflow.id),
    ]) {
      expect(response.status).toBe(422);
      expect(response.body.code).toBe("INVALID_STATE");
    }
    expect(await fixture.api.events(workflow.id)).toEqual(before);
    expect((await fixture.api.get(workflow.id)).body.status).toBe("cancelled");
  });
});

describe("rejecting", () => {
  it("without feedback, with empty or whitespace feedback → 400, and the workflow stays blocked", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "FEEDBACK-1" });
    const before = await fixture.api.events(workflow.id);

    const attempts = [
      await fixture.api.reject(workflow.id),
      await fixture.api.reject(workflow.id, ""),
      await fixture.api.reject(workflow.id, "   \n\t "),
      await fixture.api.request("POST", `/api/workflows/${workflow.id}/reject`, { feedback: 42 }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: "VALIDATION_ERROR" });
      expect(response.body).toHaveProperty(["details", 0, "field"], "feedback");
    }

    const after = await fixture.api.get(workflow.id);
    expect(after.body).toMatchObject({ status: "blocked", gate: "plan" });
    expect(await fixture.api.events(workflow.id)).toEqual(before);

    // The gate is still open: a proper rejection is taken.
    const rejected = await fixture.api.reject(workflow.id, "Add a rollback step.");
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("in_progress");
    const replanned = await fixture.api.waitForStatus(workflow.id, "blocked");
    expect(replanned.iteration.plan).toBe(2);
  });
});

describe("approving", () => {
  it("two approvals at once → exactly one 200 and one 422, one approval_granted", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "DOUBLE-1" });

    const responses = await Promise.all([
      fixture.api.approve(workflow.id),
      fixture.api.approve(workflow.id),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(responses.find((r) => r.status === 422)?.body.code).toBe("INVALID_STATE");

    // The one approval drives the workflow to the end, exactly once.
    const done = await fixture.api.waitForStatus(workflow.id, "completed");
    expect(done.iteration).toEqual({ plan: 1, review: 2, developer: 2 });
    const events = await fixture.api.events(workflow.id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    expect(ofType(events, "approval_granted")).toHaveLength(1);
    expect(
      ofType(events, "stage_started").filter((e) => e.data.stage === "developer"),
    ).toHaveLength(2);
    expect(ofType(events, "workflow_completed")).toHaveLength(1);

    // A completed workflow takes no decision and cannot be cancelled.
    for (const response of [
      await fixture.api.approve(workflow.id),
      await fixture.api.reject(workflow.id, "Changed my mind"),
      await fixture.api.cancel(workflow.id),
    ]) {
      expect(response.status).toBe(422);
      expect(response.body.code).toBe("INVALID_STATE");
    }
    expect(await fixture.api.events(workflow.id)).toHaveLength(events.length);
  });

  it("approve and reject at once → exactly one is taken", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "RACE-1" });
    const responses = await Promise.all([
      fixture.api.approve(workflow.id),
      fixture.api.reject(workflow.id, "Re-plan it"),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 422]);
    const events = await fixture.api.events(workflow.id);
    const decisions = events.filter(
      (e) => e.type === "approval_granted" || e.type === "approval_rejected",
    );
    expect(decisions).toHaveLength(1);
    // Whichever won, the workflow moves on from it: re-planned, or built to the end.
    const settled = await fixture.api.waitFor(workflow.id, (w) => w.status !== "in_progress");
    expect(settled.status).toBe(
      decisions[0]!.type === "approval_granted" ? "completed" : "blocked",
    );
  });
});

describe("cancelling", () => {
  it("a blocked workflow → 200 cancelled, workflow_cancelled pushed to a subscriber, approve → 422", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "CANCEL-1" });
    const watcher = await WsClient.connect(fixture.runtime.wsUrl);
    try {
      watcher.send({ action: "subscribe", workflowId: workflow.id });
      await watcher.waitFor((m) => m.type === "subscribed");

      const cancelled = await fixture.api.cancel(workflow.id);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe("cancelled");
      expect(cancelled.body.gate).toBeUndefined();
      expect(cancelled.body.completedAt).toBeDefined();

      const pushed = await watcher.waitFor(
        (m) => m.type === "event" && m.event.type === "workflow_cancelled",
      );
      const events = await fixture.api.events(workflow.id);
      expect(events.at(-1)?.type).toBe("workflow_cancelled");
      expect(pushed).toEqual({ type: "event", event: events.at(-1) });
      expect(sequencesOf(events)).toEqual(oneTo(events.length));

      const approve = await fixture.api.approve(workflow.id);
      expect(approve.status).toBe(422);
      expect(approve.body.code).toBe("INVALID_STATE");
      const again = await fixture.api.cancel(workflow.id);
      expect(again.status).toBe(422);
      expect(await fixture.api.events(workflow.id)).toHaveLength(events.length);
    } finally {
      await watcher.close();
    }
  });

  it("with a reason records it; an unknown body field → 400", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "CANCEL-2" });
    const bad = await fixture.api.request("POST", `/api/workflows/${workflow.id}/cancel`, {
      why: "x",
    });
    expect(bad.status).toBe(400);
    expect((await fixture.api.get(workflow.id)).body.status).toBe("blocked");

    const response = await fixture.api.request("POST", `/api/workflows/${workflow.id}/cancel`, {
      reason: "Duplicate of another issue",
    });
    expect(response.status).toBe(200);
    const last = (await fixture.api.events(workflow.id)).at(-1);
    expect(last).toMatchObject({
      type: "workflow_cancelled",
      agent: "human",
      data: { reason: "Duplicate of another issue" },
    });
  });
});

describe("no decision is lost", () => {
  it("a rejection with 15,000 characters of feedback is taken: the architect re-plans, and the approved plan is built", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "LONG-FEEDBACK-1" });
    const feedback = "Keep the old column until the backfill ends. ".repeat(400).slice(0, 15_000);
    const rejected = await fixture.api.reject(workflow.id, feedback);
    expect(rejected.status).toBe(200);
    const replanned = await fixture.api.waitForStatus(workflow.id, "blocked");
    expect(replanned.iteration.plan).toBe(2);
    const events = await fixture.api.events(workflow.id);
    expect(ofType(events, "approval_rejected").at(-1)?.data.feedback).toBe(feedback.trim());

    expect((await fixture.api.approve(workflow.id)).status).toBe(200);
    await fixture.api.waitForStatus(workflow.id, "completed");
    const built = await fixture.api.events(workflow.id);
    expect(ofType(built, "stage_started").some((e) => e.data.stage === "developer")).toBe(true);
    expect(sequencesOf(built)).toEqual(oneTo(built.length));
  });

  it("feedback over its limit in UTF-8 bytes → 400 naming the field and the limit, and the gate stays open", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "HUGE-FEEDBACK-1" });
    const before = await fixture.api.events(workflow.id);
    // 25,001 characters, 50,002 bytes.
    const rejected = await fixture.api.reject(workflow.id, "é".repeat(25_001));
    expect(rejected.status).toBe(400);
    expect(rejected.body).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "feedback", limitBytes: 50_000 }],
    });
    expect(await fixture.api.events(workflow.id)).toEqual(before);
    expect((await fixture.api.approve(workflow.id)).status).toBe(200);
  });

  it("a description over 256 KiB of UTF-8 (131,073 'é') → 400 naming description and its limit; nothing is created", async () => {
    const before = await allWorkflowIds(fixture.api);
    const created = await fixture.api.create({
      issueId: "BYTES-1",
      description: "é".repeat(131_073),
    });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "description", limitBytes: 262_144 }],
    });
    expect(await allWorkflowIds(fixture.api)).toEqual(before);
  });

  it("a decision that fails after its token was taken leaves the gate open: the same request, retried, is taken", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "FAULT-1" });
    // Step Functions is unavailable for every attempt the SDK makes of the next SendTaskSuccess.
    fixture.runtime.failNextAwsCall(
      "SendTaskSuccess",
      new AwsServiceError("ServiceUnavailable", "Step Functions is unavailable", 503),
      SDK_MAX_ATTEMPTS,
    );
    const failed = await fixture.api.approve(workflow.id);
    expect(failed.status).toBe(500);
    expect((await fixture.api.get(workflow.id)).body).toMatchObject({
      status: "blocked",
      gate: "plan",
    });
    const retried = await fixture.api.approve(workflow.id);
    expect(retried.status).toBe(200);
    await fixture.api.waitForStatus(workflow.id, "completed");
    const events = await fixture.api.events(workflow.id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    expect(ofType(events, "system_error").at(-1)?.message).toBe(
      "The decision could not be delivered; the plan gate is open again",
    );
    expect(ofType(events, "approval_required").map((e) => e.data.reopened)).toEqual([
      undefined,
      true,
    ]);
  });
});
