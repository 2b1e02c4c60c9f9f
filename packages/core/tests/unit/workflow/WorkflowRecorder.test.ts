import { describe, expect, it } from "vitest";
import { InvalidStateError, NotFoundError } from "../../../src/errors";
import type { NewEvent } from "../../../src/events/types";
import { InvalidEventError } from "../../../src/events/InvalidEventError";
import { keys } from "../../../src/store/table";
import { memoryDomain } from "../../support/memoryDomain";

const message = (text: string): NewEvent => ({
  type: "agent_message",
  agent: "architect",
  level: "info",
  message: text,
  data: {},
});

describe("recording an event: append, project, publish", () => {
  it("appends at the next sequence, brings the projection up to it and publishes it", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    const { event, workflow } = await domain.workflows.record(id, message("Reading the code"));
    expect(event).toMatchObject({ workflowId: id, sequence: 3, type: "agent_message" });
    expect(workflow.lastSequence).toBe(3);
    expect(await domain.workflows.get(id)).toEqual(workflow);
    expect(domain.publisher.published.map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it("refuses an event a terminal workflow cannot take (422) and leaves the log alone", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    await domain.workflows.cancel(id);
    const before = domain.log.eventsOf(id);
    await expect(domain.workflows.record(id, message("late"))).rejects.toBeInstanceOf(
      InvalidStateError,
    );
    expect(domain.log.eventsOf(id)).toEqual(before);
  });

  it("refuses an event the log refuses, before anything is stored", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    await expect(domain.workflows.record(id, message("x".repeat(10_001)))).rejects.toBeInstanceOf(
      InvalidEventError,
    );
    expect(domain.log.eventsOf(id)).toHaveLength(2);
  });

  it("keeps the event when publishing fails: subscribers catch up from the log", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    domain.publisher.failing = true;
    const { event } = await domain.workflows.record(id, message("unpublished"));
    expect(domain.log.eventsOf(id).at(-1)).toEqual(event);
    expect((await domain.workflows.get(id)).lastSequence).toBe(event.sequence);
  });

  it("catches up with events another writer appended before projecting", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    // Another process appended a plan but died before projecting it.
    await domain.log.append(id, {
      type: "plan_created",
      agent: "architect",
      level: "info",
      message: "Plan",
      data: { plan: "# From elsewhere", round: 1 },
    });
    const { workflow } = await domain.workflows.record(id, message("after"));
    expect(workflow).toMatchObject({ lastSequence: 4, plan: "# From elsewhere" });
  });

  it("checks a status change against every event before it, also ones not projected yet", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    // Another process recorded the cancellation but died before projecting it.
    await domain.log.append(id, {
      type: "workflow_cancelled",
      agent: "human",
      level: "warning",
      message: "Cancelled",
      data: {},
    });
    const completing = domain.workflows.record(id, {
      type: "workflow_completed",
      agent: "system",
      level: "info",
      message: "Completed",
      data: {},
    });
    await expect(completing).rejects.toThrow(`Workflow ${id} is cancelled`);
    expect(domain.log.typesOf(id)).toEqual([
      "workflow_created",
      "workflow_started",
      "workflow_cancelled",
    ]);
    expect((await domain.workflows.get(id)).status).toBe("cancelled");
  });

  it("frees the issue and the slot when an event ends the workflow", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    await domain.workflows.record(id, {
      type: "workflow_failed",
      agent: "system",
      level: "error",
      message: "boom",
      data: { reason: "boom" },
    });
    expect(domain.store.claimOf(keys.issueLock(undefined, "ISSUE-1"), keys.lock)).toBeUndefined();
    expect((await domain.store.slotHolders()).size).toBe(0);
  });

  it("a workflow whose projection cannot be saved still ends failed, and frees its issue and slot", async () => {
    const domain = memoryDomain({ maxActiveWorkflows: 1 });
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    domain.store.maxProjectionBytes = 20_000;
    const plan: NewEvent = {
      type: "plan_created",
      agent: "architect",
      level: "info",
      message: "Plan ready",
      data: { plan: "x".repeat(30_000), round: 1 },
    };
    await expect(domain.workflows.record(id, plan)).rejects.toThrow(/Could not save workflow/);

    // The stage failed: the finish task records the failure, which cannot be saved whole either.
    const failed = await domain.workflows.fail(id, "The architect stage failed");

    expect(failed).toMatchObject({
      status: "failed",
      failureReason: "The architect stage failed",
      abridged: true,
    });
    expect(failed).not.toHaveProperty("plan");
    expect(await domain.workflows.get(id)).toEqual(failed);
    expect(domain.log.eventsOf(id).map((e) => e.type)).toEqual([
      "workflow_created",
      "workflow_started",
      "plan_created",
      "workflow_failed",
    ]);
    domain.store.maxProjectionBytes = Number.POSITIVE_INFINITY;
    const again = await domain.workflows.create({ issueId: "ISSUE-1" });
    expect(again.status).not.toBe("failed");
  });

  it("frees the claims of a workflow ended while nothing can be saved, and says why", async () => {
    const domain = memoryDomain({ maxActiveWorkflows: 1 });
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1" });
    domain.store.maxProjectionBytes = 0;
    await expect(domain.workflows.fail(id, "boom")).rejects.toThrow(/Could not save workflow/);
    expect(domain.log.eventsOf(id).at(-1)?.type).toBe("workflow_failed");
    expect(domain.store.claimOf(keys.issueLock(undefined, "ISSUE-1"), keys.lock)).toBeUndefined();
    expect((await domain.store.slotHolders()).size).toBe(0);
  });

  it("rebuilds a lost projection from the log, identical", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "ISSUE-1", title: "Rebuild me" });
    await domain.workflows.record(id, message("one"));
    const before = await domain.workflows.get(id);
    domain.store.dropProjection(id);
    await expect(domain.workflows.get(id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await domain.workflows.rebuild(id)).toEqual(before);
    expect(await domain.workflows.get(id)).toEqual(before);
    await expect(domain.workflows.rebuild("no-such-workflow")).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
