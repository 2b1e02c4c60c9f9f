import { ExecutionNotRedrivable } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { WORKFLOW_HALTED_ERROR } from "../../../src/definitions/stateMachine";
import { InvalidStateError, NotFoundError } from "../../../src/errors";
import { WorkflowHaltedError } from "../../../src/workflow/failures";
import { keys } from "../../../src/store/table";
import { createAtGate, memoryDomain } from "../../support/memoryDomain";

async function failedWorkflow(domain: ReturnType<typeof memoryDomain>) {
  const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
  await domain.workflows.record(id, {
    type: "stage_started",
    agent: "developer",
    level: "info",
    message: "Developing",
    data: { stage: "developer", round: 1 },
  });
  return domain.workflows.fail(id, "The developer stage failed: boom");
}

describe("a workflow's lifecycle", () => {
  it("creates: claims the issue, records created then started, then starts the execution", async () => {
    const domain = memoryDomain();
    const workflow = await domain.workflows.create({ issueId: "PROJ-7", title: "Add login" });
    expect(workflow).toMatchObject({
      issueId: "PROJ-7",
      title: "Add login",
      status: "in_progress",
      branch: "amelia/PROJ-7",
      model: "amelia-demo",
    });
    expect(domain.log.typesOf(workflow.id)).toEqual(["workflow_created", "workflow_started"]);
    expect(domain.log.eventsOf(workflow.id)[1]?.data).toEqual({
      executionArn: domain.executions.arnFor(workflow.id),
    });
    expect(domain.executions.callsOf("start")).toEqual([
      { method: "start", workflowId: workflow.id, firstStage: "architect" },
    ]);
    expect(domain.store.claimOf(keys.issueLock(undefined, "PROJ-7"), keys.lock)?.workflowId).toBe(
      workflow.id,
    );
  });

  it("takes a missing title and description from the issue tracker", async () => {
    const domain = memoryDomain({
      describeIssue: async () => ({ title: "From GitHub", description: "Body" }),
    });
    const workflow = await domain.workflows.create({ issueId: "octo/app#1" });
    expect(workflow).toMatchObject({ title: "From GitHub", description: "Body" });
  });

  it("fails a workflow whose execution could not start, and frees its issue", async () => {
    const domain = memoryDomain();
    domain.executions.faults.failNext("start", new Error("no state machine"));
    await expect(domain.workflows.create({ issueId: "ISSUE-1" })).rejects.toThrow(
      "no state machine",
    );
    const [failed] = await domain.workflows.list({ limit: 10 }).then((page) => page.workflows);
    expect(failed).toMatchObject({
      status: "failed",
      failureReason: "The workflow could not start: no state machine",
    });
    expect((await domain.workflows.create({ issueId: "ISSUE-1" })).status).toBe("in_progress");
  });

  it("lists and reads: newest first, the active ones, events after a sequence, 404 for none", async () => {
    const domain = memoryDomain();
    const first = await domain.workflows.create({ issueId: "A" });
    domain.clock.advance(1_000);
    const second = await domain.workflows.create({ issueId: "B" });
    await domain.workflows.cancel(first.id);
    expect((await domain.workflows.list({ limit: 10 })).workflows.map((w) => w.id)).toEqual([
      second.id,
      first.id,
    ]);
    expect((await domain.workflows.listActive()).map((w) => w.id)).toEqual([second.id]);
    expect((await domain.workflows.events(first.id, 1, 10)).events.map((e) => e.sequence)).toEqual([
      2, 3,
    ]);
    await expect(domain.workflows.events("none", 0, 10)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("cancels: stops the execution, closes an open gate, frees the issue; a second cancel is 422", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain);
    const cancelled = await domain.workflows.cancel(id, "Not needed");
    expect(cancelled).toMatchObject({ status: "cancelled" });
    expect(domain.executions.callsOf("stop")).toEqual([{ method: "stop", workflowId: id }]);
    expect(domain.store.openGate(id)).toBeUndefined();
    expect(domain.log.eventsOf(id).at(-1)).toMatchObject({
      type: "workflow_cancelled",
      agent: "human",
      data: { reason: "Not needed" },
    });
    expect(domain.store.claimOf(keys.issueLock(undefined, "ISSUE-1"), keys.lock)).toBeUndefined();
    await expect(domain.workflows.cancel(id)).rejects.toBeInstanceOf(InvalidStateError);
  });

  it("resumes a failed workflow at its stage: claims again, records it, redrives the execution", async () => {
    const domain = memoryDomain();
    const failed = await failedWorkflow(domain);
    const resumed = await domain.workflows.resume(failed.id);
    expect(resumed).toMatchObject({ status: "in_progress", stage: "developer" });
    expect(resumed.failureReason).toBeUndefined();
    expect(domain.log.eventsOf(failed.id).at(-1)).toMatchObject({
      type: "workflow_resumed",
      data: { stage: "developer", failureReason: "The developer stage failed: boom" },
    });
    expect(domain.executions.callsOf("redrive")).toHaveLength(1);
    expect(domain.store.claimOf(keys.issueLock(undefined, "ISSUE-1"), keys.lock)?.workflowId).toBe(
      failed.id,
    );
  });

  it("refuses to resume what is not failed, or an execution that cannot be redriven", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ACTIVE" });
    await expect(domain.workflows.resume(id)).rejects.toThrow(/only a failed workflow/);

    const failed = await failedWorkflow(domain);
    domain.executions.stopped = { status: "FAILED", redrivable: false, reason: "too old" };
    await expect(domain.workflows.resume(failed.id)).rejects.toThrow(/cannot be resumed: too old/);
    expect(domain.log.eventsOf(failed.id).at(-1)?.type).toBe("workflow_failed");
  });

  it("fails the resumed workflow again when the redrive is refused", async () => {
    const domain = memoryDomain();
    const failed = await failedWorkflow(domain);
    domain.executions.faults.failNext(
      "redrive",
      new ExecutionNotRedrivable({ message: "not redrivable", $metadata: {} }),
    );
    await expect(domain.workflows.resume(failed.id)).rejects.toBeInstanceOf(InvalidStateError);
    expect(await domain.workflows.get(failed.id)).toMatchObject({
      status: "failed",
      failureReason: "The workflow could not be resumed: not redrivable",
    });
  });

  it("completes once, proposing the work; a repeated completion changes nothing", async () => {
    const published: string[] = [];
    const domain = memoryDomain({
      publish: async (workflow) => {
        published.push(workflow.id);
        return { pullRequestUrl: "https://github.com/octo/app/pull/1" };
      },
    });
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    const completed = await domain.workflows.complete(id);
    expect(completed).toMatchObject({
      status: "completed",
      stage: "done",
      pullRequestUrl: "https://github.com/octo/app/pull/1",
    });
    expect(await domain.workflows.complete(id)).toEqual(completed);
    expect(published).toEqual([id]);
    expect(domain.log.typesOf(id).filter((t) => t === "workflow_completed")).toHaveLength(1);
  });

  it("records a failure once: a late or repeated one leaves the ended workflow as it is", async () => {
    const domain = memoryDomain();
    const failed = await failedWorkflow(domain);
    expect(await domain.workflows.fail(failed.id, "again")).toEqual(failed);
    expect(domain.log.typesOf(failed.id).filter((t) => t === "workflow_failed")).toHaveLength(1);
  });

  it("completes once when the finish task is delivered twice at the same time", async () => {
    let proposals = 0;
    let bothProposing: () => void = () => undefined;
    const proposing = new Promise<void>((resolve) => (bothProposing = resolve));
    const domain = memoryDomain({
      publish: async () => {
        if (++proposals === 2) bothProposing();
        await proposing;
        return {};
      },
    });
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    const [first, second] = await Promise.all([
      domain.workflows.complete(id),
      domain.workflows.complete(id),
    ]);
    expect(proposals).toBe(2);
    expect(first.status).toBe("completed");
    expect(second).toEqual(await domain.workflows.get(id));
    expect(domain.log.typesOf(id).filter((t) => t === "workflow_completed")).toHaveLength(1);
  });

  it("still refuses to complete a workflow that ended otherwise", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    await domain.workflows.cancel(id);
    await expect(domain.workflows.complete(id)).rejects.toBeInstanceOf(InvalidStateError);
  });

  it("fails a stage once, with a reason from the stage it was in, however often it is told", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain);
    const error = { Error: "States.Timeout" };
    const [first, second] = await Promise.all([
      domain.workflows.failStage(id, error),
      domain.workflows.failStage(id, error),
    ]);
    expect(first).toMatchObject({
      status: "failed",
      failureReason: "Nobody decided at the gate in time",
    });
    expect(second).toEqual(first);
    expect(await domain.workflows.failStage(id, { Cause: "later" })).toEqual(first);
    expect(domain.log.typesOf(id).filter((t) => t === "workflow_failed")).toHaveLength(1);
  });

  it("halts a failed workflow's execution with its reason, as often as it runs; a resumed one passes", async () => {
    const domain = memoryDomain();
    const failed = await failedWorkflow(domain);
    for (let run = 0; run < 2; run++) {
      const halted = await domain.workflows.halt(failed.id).catch((e: unknown) => e);
      expect(halted).toBeInstanceOf(WorkflowHaltedError);
      expect(halted).toMatchObject({
        name: WORKFLOW_HALTED_ERROR,
        message: "The developer stage failed: boom",
      });
    }
    const before = domain.log.eventsOf(failed.id);
    await domain.workflows.resume(failed.id);
    await expect(domain.workflows.halt(failed.id)).resolves.toBeUndefined();
    expect(domain.log.eventsOf(failed.id)).toHaveLength(before.length + 1);
  });

  it("starts the workflows whose create a crash cut off, and only those, once", async () => {
    const domain = memoryDomain();
    const created = {
      type: "workflow_created",
      agent: "system",
      level: "info",
      message: "Workflow created",
      data: { issueId: "CUT-1", branch: "amelia/CUT-1", model: "amelia-demo" },
    } as const;
    const started = {
      type: "workflow_started",
      agent: "system",
      level: "info",
      message: "Workflow started",
      data: { executionArn: "arn" },
    } as const;
    // Cut off after workflow_created; after workflow_started; and one that ran on normally.
    await domain.workflows.record("cut-before-start", created);
    await domain.workflows.record("cut-after-start", {
      ...created,
      data: { ...created.data, issueId: "CUT-2" },
    });
    await domain.workflows.record("cut-after-start", started);
    const running = await domain.workflows.create({ issueId: "RUNS-1" });
    await domain.workflows.record(running.id, {
      type: "agent_message",
      agent: "architect",
      level: "info",
      message: "Planning",
      data: {},
    });
    const startsBefore = domain.executions.calls.filter((c) => c.method === "start").length;

    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await domain.workflows.startInterrupted(later)).sort()).toEqual([
      "cut-after-start",
      "cut-before-start",
    ]);
    expect((await domain.workflows.get("cut-before-start")).status).toBe("in_progress");
    expect(domain.log.typesOf("cut-before-start")).toEqual([
      "workflow_created",
      "workflow_started",
    ]);
    const starts = domain.executions.calls.filter((c) => c.method === "start").slice(startsBefore);
    expect(starts.map((c) => c.workflowId).sort()).toEqual(["cut-after-start", "cut-before-start"]);

    // A create still under way (changed after `before`) is left alone.
    await domain.workflows.record("just-created", {
      ...created,
      data: { ...created.data, issueId: "CUT-3" },
    });
    expect(await domain.workflows.startInterrupted(new Date(0).toISOString())).toEqual([]);
  });
});
