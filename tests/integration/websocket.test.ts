import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../packages/core/src/events/types";
import { oneTo, sequencesOf } from "../support/api";
import { useTestRuntime } from "../support/runtime";
import { WsClient, type ServerMessage } from "../support/ws";
import { cancelAllActive, createAtPlanGate, sleep } from "../support/workflows";

const clients: WsClient[] = [];

const fixture = useTestRuntime();
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await cancelAllActive(fixture.api);
});

async function connect(): Promise<WsClient> {
  const client = await WsClient.connect(fixture.runtime.wsUrl);
  clients.push(client);
  return client;
}

/** Sends a ping and waits for the pong: the connection is open and still answering. */
async function answersPing(client: WsClient): Promise<void> {
  const pongs = client.messages.filter((m) => m.type === "pong").length;
  client.send({ action: "ping" });
  await client.waitFor(
    (m) => m.type === "pong" && client.messages.filter((x) => x.type === "pong").length > pongs,
  );
}

function isEvent(
  message: ServerMessage,
  workflowId: string,
  type?: WorkflowEvent["type"],
): boolean {
  return (
    message.type === "event" &&
    message.event.workflowId === workflowId &&
    (type === undefined || message.event.type === type)
  );
}

/** Distinct sequences, ascending: what a client that drops duplicates ends up with. */
function deduped(...lists: WorkflowEvent[][]): number[] {
  return [...new Set(lists.flat().map((e) => e.sequence))].sort((a, b) => a - b);
}

describe("subscribe with since", () => {
  it("since: 0 → every stored event in order, then backfill_complete with the count, then live", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "WS-BACKFILL" });
    const stored = await fixture.api.events(workflow.id);
    const n = stored.length;

    const client = await connect();
    client.send({ action: "subscribe", workflowId: workflow.id, since: 0 });
    await client.waitFor((m) => m.type === "backfill_complete");
    expect(client.messages).toEqual([
      { type: "subscribed", workflowId: workflow.id },
      ...stored.map((event) => ({ type: "event", event })),
      { type: "backfill_complete", workflowId: workflow.id, count: n },
    ]);

    expect((await fixture.api.approve(workflow.id)).status).toBe(200);
    await client.waitFor((m) => isEvent(m, workflow.id, "workflow_completed"));
    const live = client.messages.slice(n + 2);
    expect(live.every((m) => m.type === "event")).toBe(true);
    // Live events follow the backfill: all newer than it, the first of them the approval.
    const liveEvents = client.events(workflow.id).slice(n);
    expect(Math.min(...sequencesOf(liveEvents))).toBe(n + 1);
    expect(liveEvents.find((e) => e.sequence === n + 1)?.type).toBe("approval_granted");

    // Every pushed event is the stored one, and together they are the whole log.
    const all = await fixture.api.events(workflow.id);
    expect(deduped(client.events(workflow.id))).toEqual(oneTo(all.length));
    const bySequence = new Map(all.map((e) => [e.sequence, e]));
    for (const event of client.events(workflow.id)) {
      expect(event).toEqual(bySequence.get(event.sequence));
    }
  });

  it("since: N backfills only the events after N", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "WS-SINCE" });
    const stored = await fixture.api.events(workflow.id);
    const client = await connect();
    client.send({ action: "subscribe", workflowId: workflow.id, since: 3 });
    const done = await client.waitFor((m) => m.type === "backfill_complete");
    expect(done).toEqual({
      type: "backfill_complete",
      workflowId: workflow.id,
      count: stored.length - 3,
    });
    expect(sequencesOf(client.events(workflow.id))).toEqual(sequencesOf(stored.slice(3)));
  });

  it("a client that disconnects mid-run and resubscribes with since = last seen misses nothing", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "WS-RECONNECT" });
    const first = await connect();
    first.send({ action: "subscribe", workflowId: workflow.id, since: 0 });
    await first.waitFor((m) => m.type === "backfill_complete");

    expect((await fixture.api.approve(workflow.id)).status).toBe(200);
    // Drop the connection as soon as the developer has started.
    await first.waitFor(
      (m) =>
        m.type === "event" &&
        m.event.workflowId === workflow.id &&
        m.event.type === "stage_started" &&
        m.event.data.stage === "developer",
    );
    await first.close();
    const seen = first.events(workflow.id);
    const lastSeen = Math.max(...sequencesOf(seen));

    // Events keep being stored while nobody listens.
    await fixture.api.waitFor(workflow.id, (w) => w.lastSequence > lastSeen + 2);
    const second = await connect();
    second.send({ action: "subscribe", workflowId: workflow.id, since: lastSeen });
    const backfill = await second.waitFor((m) => m.type === "backfill_complete");
    expect(backfill.type === "backfill_complete" && backfill.count).toBeGreaterThan(1);
    // Nothing already seen is sent again. (A live event may overtake the backfill: the
    // subscription is stored before the log is read, so both can carry it; clients dedupe.)
    expect(Math.min(...sequencesOf(second.events(workflow.id)))).toBe(lastSeen + 1);

    await second.waitFor((m) => isEvent(m, workflow.id, "workflow_completed"));
    const stored = await fixture.api.events(workflow.id);
    expect(stored.at(-1)?.type).toBe("workflow_completed");
    expect(deduped(seen, second.events(workflow.id))).toEqual(oneTo(stored.length));
  });

  it("since with workflowId * → error, and the connection stays usable", async () => {
    const client = await connect();
    client.send({ action: "subscribe", workflowId: "*", since: 0 });
    const error = await client.waitFor((m) => m.type === "error");
    expect(error).toMatchObject({ type: "error", code: "VALIDATION_ERROR" });
    expect(client.messages.some((m) => m.type === "subscribed")).toBe(false);
    await answersPing(client);
  });

  it("a negative or non-integer since → error", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "WS-BAD-SINCE" });
    const client = await connect();
    for (const since of [-1, 1.5, "3"]) {
      const errors = client.messages.filter((m) => m.type === "error").length;
      client.send({ action: "subscribe", workflowId: workflow.id, since });
      await client.waitFor(() => client.messages.filter((m) => m.type === "error").length > errors);
    }
    expect(client.messages.every((m) => m.type === "error")).toBe(true);
    expect(client.messages.at(-1)).toMatchObject({ code: "VALIDATION_ERROR" });
  });
});

describe("subscriptions", () => {
  it("subscribe to an unknown workflow id → error NOT_FOUND", async () => {
    const client = await connect();
    client.send({ action: "subscribe", workflowId: randomUUID(), since: 0 });
    const error = await client.waitFor((m) => m.type === "error");
    expect(error).toMatchObject({ type: "error", code: "NOT_FOUND" });
    expect(client.messages).toHaveLength(1);
    await answersPing(client);
  });

  it("* receives the events of every workflow, live", async () => {
    const client = await connect();
    client.send({ action: "subscribe", workflowId: "*" });
    await client.waitFor((m) => m.type === "subscribed");
    const a = await fixture.api.create({ issueId: "WS-ALL-A" });
    const b = await fixture.api.create({ issueId: "WS-ALL-B" });
    for (const id of [a.body.id, b.body.id]) {
      await client.waitFor((m) => isEvent(m, id, "approval_required"));
      expect(deduped(client.events(id))).toEqual(oneTo((await fixture.api.events(id)).length));
    }
  });

  it("unsubscribe → unsubscribed, and no more events for that workflow", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "WS-UNSUB" });
    const client = await connect();
    const witness = await connect();
    for (const c of [client, witness]) {
      c.send({ action: "subscribe", workflowId: workflow.id });
      await c.waitFor((m) => m.type === "subscribed");
    }

    client.send({ action: "unsubscribe", workflowId: workflow.id });
    expect(await client.waitFor((m) => m.type === "unsubscribed")).toEqual({
      type: "unsubscribed",
      workflowId: workflow.id,
    });

    // An event happens: the witness gets it, the unsubscribed client does not.
    expect((await fixture.api.reject(workflow.id, "Split it into two steps.")).status).toBe(200);
    await witness.waitFor((m) => isEvent(m, workflow.id, "approval_required"));
    await sleep(150);
    expect(witness.events(workflow.id).length).toBeGreaterThan(3);
    expect(client.events()).toEqual([]);
    await answersPing(client);
  });
});

describe("bad messages", () => {
  it("an unknown action → error, and the same connection still answers ping with pong", async () => {
    const client = await connect();
    client.send({ action: "dance" });
    const error = await client.waitFor((m) => m.type === "error");
    expect(error).toMatchObject({ type: "error", code: "VALIDATION_ERROR" });
    expect(error.type === "error" && error.error).toContain("dance");
    await answersPing(client);
    expect(client.messages.map((m) => m.type)).toEqual(["error", "pong"]);
  });

  it("a message with no action, or an action like $connect → error, connection open", async () => {
    const client = await connect();
    client.send({ workflowId: "*" });
    client.send({ action: "$connect" });
    await client.waitFor(() => client.messages.filter((m) => m.type === "error").length === 2);
    await answersPing(client);
  });

  it("a non-JSON message → error, and the connection stays open", async () => {
    const client = await connect();
    client.send("this is not json {");
    const error = await client.waitFor((m) => m.type === "error");
    expect(error).toMatchObject({ type: "error", code: "VALIDATION_ERROR" });
    await answersPing(client);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it("a subscribe with an unknown field → error", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "WS-UNKNOWN-FIELD" });
    const client = await connect();
    client.send({ action: "subscribe", workflowId: workflow.id, from: 0 });
    expect(await client.waitFor((m) => m.type === "error")).toMatchObject({
      code: "VALIDATION_ERROR",
    });
    expect(client.messages.some((m) => m.type === "subscribed")).toBe(false);
  });
});
