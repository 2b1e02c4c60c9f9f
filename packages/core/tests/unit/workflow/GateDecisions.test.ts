import { InvalidToken, TaskTimedOut } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { InvalidStateError } from "../../../src/errors";
import { keys } from "../../../src/store/table";
import { createAtGate, memoryDomain } from "../../support/memoryDomain";

const types = (domain: ReturnType<typeof memoryDomain>, id: string) =>
  domain.log.eventsOf(id).map((event) => event.type);

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
    expect(types(domain, id)).toEqual(["workflow_created", "workflow_started"]);
  });

  for (const gone of [
    new TaskTimedOut({ message: "Task Timed Out", $metadata: {} }),
    new InvalidToken({ message: "Invalid token", $metadata: {} }),
  ]) {
    it(`fails the workflow when the execution no longer waits for the token (${gone.name})`, async () => {
      const domain = memoryDomain();
      const { id } = await createAtGate(domain, "plan", "token-1", "GONE-1");
      domain.executions.failNext("decide", gone);

      await expect(domain.gates.approve(id)).rejects.toBe(gone);
      const failed = await domain.workflows.get(id);
      expect(failed).toMatchObject({
        status: "failed",
        failureReason: `The execution stopped waiting at the plan gate (${gone.name})`,
      });
      expect(types(domain, id).slice(-2)).toEqual(["approval_granted", "workflow_failed"]);
      // It ended: its issue is free for a new workflow.
      expect(domain.store.claimOf(keys.issueLock(undefined, "GONE-1"), keys.lock)).toBeUndefined();
    });
  }

  it("re-opens the gate when the decision could not be delivered for another reason", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    domain.executions.failNext("decide", new Error("Step Functions is unreachable"));

    await expect(domain.gates.approve(id)).rejects.toThrow("Step Functions is unreachable");
    expect(types(domain, id).slice(-4)).toEqual([
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
