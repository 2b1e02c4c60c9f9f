import { InvalidToken, TaskTimedOut } from "@aws-sdk/client-sfn";
import { describe, expect, it, vi } from "vitest";
import { InvalidStateError } from "../../../src/errors";
import { logger } from "../../../src/logger";
import { keys } from "../../../src/store/table";
import { createAtGate, memoryDomain } from "../../support/memoryDomain";

describe("gate decisions", () => {
  it("opens a gate: the token stays in the store, the person is told with the plan", async () => {
    const domain = memoryDomain();
    const workflow = await createAtGate(domain, "plan", "token-1");
    expect(workflow).toMatchObject({ status: "blocked", gate: "plan", stage: "plan_approval" });
    expect(domain.store.openGate(workflow.id)).toEqual({ gate: "plan", taskToken: "token-1" });
    const required = domain.log.eventsOf(workflow.id).at(-1);
    expect(required).toMatchObject({
      type: "approval_required",
      data: { gate: "plan", plan: "# Plan" },
    });
    expect(JSON.stringify(domain.log.eventsOf(workflow.id))).not.toContain("token-1");
  });

  it("approves: records the decision and hands it to the waiting execution", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    const approved = await domain.gates.approve(id);
    expect(approved.status).toBe("in_progress");
    expect(domain.executions.decisions).toEqual([
      { taskToken: "token-1", decision: { approved: true } },
    ]);
    expect(domain.log.eventsOf(id).at(-1)).toMatchObject({
      type: "approval_granted",
      agent: "human",
      data: { gate: "plan" },
    });
    expect(domain.store.openGate(id)).toBeUndefined();
  });

  it("rejects with the feedback in the event, and the execution told 'not approved'", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "review", "token-r");
    await domain.gates.reject(id, "Handle the empty list.");
    expect(domain.executions.decisions).toEqual([
      { taskToken: "token-r", decision: { approved: false } },
    ]);
    expect(domain.log.eventsOf(id).at(-1)).toMatchObject({
      type: "approval_rejected",
      message: "Review rejected: Handle the empty list.",
      data: { gate: "review", feedback: "Handle the empty list." },
    });
  });

  it("takes one decision per gate: the second says it was already decided, nothing recorded", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain);
    await domain.store.takeGate(id); // a concurrent decision got there first
    const before = domain.log.eventsOf(id);
    await expect(domain.gates.approve(id)).rejects.toThrow(/already decided/);
    expect(domain.log.eventsOf(id)).toEqual(before);
    expect(domain.executions.decisions).toEqual([]);
  });

  it("refuses a decision when the workflow is not at a gate (422)", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    await expect(domain.gates.approve(id)).rejects.toBeInstanceOf(InvalidStateError);
    await expect(domain.gates.reject(id, "no")).rejects.toMatchObject({ statusCode: 422 });
    expect(domain.log.typesOf(id)).toEqual(["workflow_created", "workflow_started"]);
  });

  for (const gone of [
    new TaskTimedOut({ message: "Task Timed Out", $metadata: {} }),
    new InvalidToken({ message: "Invalid token", $metadata: {} }),
  ]) {
    it(`fails the workflow when the execution no longer waits for the token (${gone.name})`, async () => {
      const domain = memoryDomain();
      const { id } = await createAtGate(domain, "plan", "token-1", "GONE-1");
      domain.executions.faults.failNext("decide", gone);

      await expect(domain.gates.approve(id)).rejects.toBe(gone);
      const failed = await domain.workflows.get(id);
      expect(failed).toMatchObject({
        status: "failed",
        failureReason: `The execution stopped waiting at the plan gate (${gone.name})`,
      });
      expect(domain.log.typesOf(id).slice(-2)).toEqual(["approval_granted", "workflow_failed"]);
      // It ended: its issue is free for a new workflow.
      expect(domain.store.claimOf(keys.issueLock(undefined, "GONE-1"), keys.lock)).toBeUndefined();
    });
  }

  it("re-opens the gate when the decision could not be delivered for another reason", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    domain.executions.faults.failNext("decide", new Error("Step Functions is unreachable"));

    await expect(domain.gates.approve(id)).rejects.toThrow("Step Functions is unreachable");
    expect(domain.log.typesOf(id).slice(-4)).toEqual([
      "approval_required",
      "approval_granted",
      "system_error",
      "approval_required",
    ]);
    expect(domain.log.eventsOf(id).at(-2)).toMatchObject({
      level: "error",
      message: "The decision could not be delivered; the plan gate is open again",
      data: { error: "Step Functions is unreachable" },
    });
    expect(domain.log.eventsOf(id).at(-1)).toMatchObject({
      data: { gate: "plan", plan: "# Plan" },
    });
    expect(await domain.workflows.get(id)).toMatchObject({ status: "blocked", gate: "plan" });
    expect(domain.store.openGate(id)).toEqual({ gate: "plan", taskToken: "token-1" });

    // The same decision, tried again, is delivered with the same token.
    expect((await domain.gates.approve(id)).status).toBe("in_progress");
    expect(domain.executions.decisions).toEqual([
      { taskToken: "token-1", decision: { approved: true } },
    ]);
  });
});

describe("no decision is lost", () => {
  it("refuses a decision its event would not pass before taking the token: the gate stays open", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    const before = domain.log.eventsOf(id);
    await expect(domain.gates.reject(id, "")).rejects.toThrow(/data\.feedback/);
    expect(domain.store.openGate(id)).toEqual({ gate: "plan", taskToken: "token-1" });
    expect(domain.log.eventsOf(id)).toEqual(before);
    expect((await domain.gates.reject(id, "Split it in two.")).status).toBe("in_progress");
  });

  it("keeps long feedback whole in the event's data, and quotes its start in the message", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain);
    const feedback = "é".repeat(15_000);
    await domain.gates.reject(id, feedback);
    const rejected = domain.log.eventsOf(id).at(-1);
    expect(rejected).toMatchObject({ type: "approval_rejected", data: { feedback } });
    expect(rejected?.message).toBe(`Plan rejected: ${"é".repeat(1_000)}…`);
  });

  it("re-opens the gate when recording the decision fails: the same request, retried, is taken", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    const before = domain.log.eventsOf(id);
    domain.log.faults.failNext("append", new Error("DynamoDB is unreachable"));

    await expect(domain.gates.reject(id, "Re-plan it.")).rejects.toThrow("DynamoDB is unreachable");
    expect(domain.store.openGate(id)).toEqual({ gate: "plan", taskToken: "token-1" });
    expect(domain.log.eventsOf(id)).toEqual(before);
    expect(await domain.workflows.get(id)).toMatchObject({ status: "blocked", gate: "plan" });

    expect((await domain.gates.reject(id, "Re-plan it.")).status).toBe("in_progress");
    expect(domain.executions.decisions).toEqual([
      { taskToken: "token-1", decision: { approved: false } },
    ]);
  });

  it("asks again when the decision reached the log but its projection failed, and the retry is taken", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    domain.store.faults.failNext("saveProjection", new Error("Item size has exceeded the maximum"));

    await expect(domain.gates.approve(id)).rejects.toThrow("Item size has exceeded the maximum");
    expect(domain.log.typesOf(id).slice(-3)).toEqual([
      "approval_granted",
      "system_error",
      "approval_required",
    ]);
    expect(domain.log.eventsOf(id).at(-1)).toMatchObject({
      data: { gate: "plan", reopened: true },
    });
    expect(await domain.workflows.get(id)).toMatchObject({ status: "blocked", gate: "plan" });
    expect(domain.executions.decisions).toEqual([]);

    expect((await domain.gates.approve(id)).status).toBe("in_progress");
    expect(domain.executions.decisions).toEqual([
      { taskToken: "token-1", decision: { approved: true } },
    ]);
  });

  it("still answers with the first error when re-opening fails too, and logs both", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    const undelivered = new Error("Step Functions is unreachable");
    const unstored = new Error("DynamoDB is unreachable");
    domain.executions.faults.failNext("decide", undelivered);
    domain.store.faults.failNext("putGate", unstored);
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    try {
      await expect(domain.gates.approve(id)).rejects.toBe(undelivered);
      expect(logged).toHaveBeenCalledWith("Re-opening the gate failed", {
        workflowId: id,
        error: undelivered,
        reopenError: unstored,
      });
    } finally {
      logged.mockRestore();
    }
  });
});

describe("the gate task, run again with the same input", () => {
  it("leaves one open gate, blocked, and says it was re-opened instead of asking twice", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    const again = await domain.gates.open(id, "plan", "token-1");

    expect(again).toMatchObject({ status: "blocked", gate: "plan", stage: "plan_approval" });
    expect(domain.store.openGate(id)).toEqual({ gate: "plan", taskToken: "token-1" });
    const events = domain.log.eventsOf(id);
    expect(events.filter((e) => e.type === "approval_required")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      type: "agent_message",
      agent: "system",
      data: { gate: "plan", reopened: true },
    });
    expect((await domain.gates.approve(id)).status).toBe("in_progress");
  });

  it("says it was re-opened when the first run's approval_required reached the log but not the stored workflow", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1", title: "Add login" });
    // The first run stops between appending its event and storing the workflow it makes.
    domain.store.faults.failNext("saveProjection", new Error("stopped"));
    await expect(domain.gates.open(id, "review", "token-1")).rejects.toThrow("stopped");
    expect(await domain.store.get(id)).toMatchObject({ status: "in_progress" });

    const again = await domain.gates.open(id, "review", "token-1");
    expect(again).toMatchObject({ status: "blocked", gate: "review" });
    const events = domain.log.eventsOf(id);
    expect(events.filter((e) => e.type === "approval_required")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      type: "agent_message",
      data: { gate: "review", reopened: true },
    });
    expect(domain.store.openGate(id)).toEqual({ gate: "review", taskToken: "token-1" });
  });

  it("keeps the newest token when the rerun got a new one", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "review", "token-1");
    await domain.gates.open(id, "review", "token-2");
    expect(domain.store.openGate(id)).toEqual({ gate: "review", taskToken: "token-2" });
    await domain.gates.approve(id);
    expect(domain.executions.decisions).toEqual([
      { taskToken: "token-2", decision: { approved: true } },
    ]);
  });

  it("asks again, saying so, when the decision before it was recorded but never delivered", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    // The decision is recorded; the process dies before the execution hears of it.
    const gate = await domain.store.takeGate(id);
    expect(gate?.taskToken).toBe("token-1");
    await domain.workflows.record(id, {
      type: "approval_granted",
      agent: "human",
      level: "info",
      message: "Plan approved",
      data: { gate: "plan" },
    });

    const reopened = await domain.gates.open(id, "plan", "token-2");
    expect(reopened).toMatchObject({ status: "blocked", gate: "plan" });
    expect(domain.log.eventsOf(id).at(-1)).toMatchObject({
      type: "approval_required",
      data: { gate: "plan", plan: "# Plan", reopened: true },
    });
    expect(domain.store.openGate(id)).toEqual({ gate: "plan", taskToken: "token-2" });
  });

  it("asks plainly at a gate reached again after a rejection", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    await domain.gates.reject(id, "Re-plan it.");
    await domain.workflows.record(id, {
      type: "stage_started",
      agent: "architect",
      level: "info",
      message: "Architect round 2",
      data: { stage: "architect", round: 2 },
    });
    await domain.gates.open(id, "plan", "token-2");
    const asked = domain.log.eventsOf(id).filter((e) => e.type === "approval_required");
    expect(asked).toHaveLength(2);
    expect(asked.map((e) => e.data)).toEqual([
      { gate: "plan", plan: "# Plan" },
      { gate: "plan", plan: "# Plan" },
    ]);
  });
});
