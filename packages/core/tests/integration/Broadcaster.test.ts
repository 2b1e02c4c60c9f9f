import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../src/events/types";
import { Broadcaster, POST_ATTEMPTS } from "../../src/realtime/Broadcaster";
import { Connections } from "../../src/realtime/Connections";
import { ConnectionStore } from "../../src/store/ConnectionStore";
import { WEBSOCKET_MESSAGE_BYTES } from "../../src/definitions/limits";
import { EventReader } from "../../src/store/EventReader";
import { EventStore } from "../../src/store/EventStore";
import { startTestTable, type TestTable } from "../support/dynamo";

/**
 * API Gateway's `@connections` API at its wire protocol (REST-JSON, `POST /@connections/{id}`),
 * reached by the real SDK client: each connection answers as scripted, the rest are delivered.
 */
type Answer = { status: number; type: string };
const scripted = new Map<string, Answer[]>();
const posts: string[] = [];
const received = new Map<string, unknown[]>();
let server: Server;
let table: TestTable;
let store: ConnectionStore;
let broadcaster: Broadcaster;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const connectionId = decodeURIComponent(request.url!.replace(/^\/@connections\//, ""));
      posts.push(connectionId);
      const answer = scripted.get(connectionId)?.shift();
      if (answer) {
        response.writeHead(answer.status, {
          "content-type": "application/json",
          "x-amzn-errortype": answer.type,
        });
        response.end(JSON.stringify({ message: answer.type }));
        return;
      }
      received.set(connectionId, [
        ...(received.get(connectionId) ?? []),
        JSON.parse(Buffer.concat(chunks).toString()),
      ]);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
  table = await startTestTable();
  store = new ConnectionStore(table.document, table.tableName);
  broadcaster = new Broadcaster(
    new Connections(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    store,
    new EventReader(table.client, table.tableName),
  );
});

afterAll(async () => {
  await table.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  scripted.clear();
  posts.length = 0;
  received.clear();
});

let workflows = 0;

/** A workflow with these subscribers, and an event of it to broadcast. */
async function subscribed(connectionIds: string[]): Promise<WorkflowEvent> {
  const workflowId = `wf-${++workflows}`;
  for (const connectionId of connectionIds) {
    await store.connect(connectionId);
    await store.subscribe(connectionId, workflowId);
  }
  return {
    id: `${workflowId}-1`,
    workflowId,
    sequence: 1,
    timestamp: "2026-12-01T00:00:00.000Z",
    type: "workflow_cancelled",
    agent: "system",
    level: "info",
    message: "Cancelled",
    data: {},
  } as WorkflowEvent;
}

const forever = (answer: Answer) => Array.from({ length: 10 }, () => answer);
const FORBIDDEN = { status: 403, type: "ForbiddenException" };

describe("a broadcast", () => {
  it("reaches every other subscriber when one connection answers 403 Forbidden", async () => {
    const event = await subscribed(["a", "forbidden", "b", "c"]);
    scripted.set("forbidden", forever(FORBIDDEN));

    const result = await broadcaster.broadcast(event);

    expect(result).toEqual({ delivered: 3, gone: 0, failed: 1 });
    for (const connectionId of ["a", "b", "c"]) {
      expect(received.get(connectionId), connectionId).toEqual([{ type: "event", event }]);
    }
    // Retried, bounded; and still subscribed: a failure is not a disconnection.
    expect(posts.filter((id) => id === "forbidden")).toHaveLength(POST_ATTEMPTS);
    expect(await store.subscribers(event.workflowId)).toContain("forbidden");
  });

  it("retries a throttled connection until it is delivered", async () => {
    const event = await subscribed(["throttled", "other"]);
    scripted.set("throttled", [
      { status: 429, type: "LimitExceededException" },
      { status: 500, type: "InternalServerErrorException" },
    ]);

    expect(await broadcaster.broadcast(event)).toEqual({ delivered: 2, gone: 0, failed: 0 });
    expect(received.get("throttled")).toEqual([{ type: "event", event }]);
    expect(posts.filter((id) => id === "throttled")).toHaveLength(3);
  });

  it("does not retry an event too large for a frame, and still delivers to the rest", async () => {
    const event = await subscribed(["small", "large"]);
    scripted.set("large", forever({ status: 413, type: "PayloadTooLargeException" }));

    expect(await broadcaster.broadcast(event)).toEqual({ delivered: 1, gone: 0, failed: 1 });
    expect(posts.filter((id) => id === "large")).toHaveLength(1);
    expect(received.get("small")).toHaveLength(1);
  });

  it("sends an event too large for one WebSocket message as a reference to read over HTTP", async () => {
    const small = await subscribed(["reader"]);
    const event = { ...small, type: "plan_created", data: { plan: "é".repeat(70_000), round: 1 } };
    const bytes = Buffer.byteLength(JSON.stringify({ type: "event", event }));
    expect(bytes).toBeGreaterThan(WEBSOCKET_MESSAGE_BYTES);

    expect(await broadcaster.broadcast(event as WorkflowEvent)).toEqual({
      delivered: 1,
      gone: 0,
      failed: 0,
    });
    expect(received.get("reader")).toEqual([
      { type: "event_reference", workflowId: event.workflowId, sequence: 1, bytes },
    ]);
  });

  it("forgets a connection that has gone and delivers to the rest", async () => {
    const event = await subscribed(["gone", "here"]);
    scripted.set("gone", [{ status: 410, type: "GoneException" }]);

    expect(await broadcaster.broadcast(event)).toEqual({ delivered: 1, gone: 1, failed: 0 });
    expect(await store.subscribers(event.workflowId)).toEqual(["here"]);
  });
});

describe("a backfill", () => {
  it("sends the stored events in order, a large one as a reference, then backfill_complete", async () => {
    const log = new EventStore(table.client, table.tableName);
    const workflowId = "wf-backfill-large";
    const note = (message: string) =>
      ({ type: "agent_message", agent: "system", level: "info", message, data: {} }) as const;
    await log.append(workflowId, note("first"));
    await log.append(workflowId, {
      type: "plan_created",
      agent: "architect",
      level: "info",
      message: "Plan ready",
      data: { plan: "é".repeat(200_000), round: 1 },
    });
    await log.append(workflowId, note("third"));
    await store.connect("catching-up");

    const delivery = await broadcaster.backfill({
      connectionId: "catching-up",
      workflowId,
      since: 0,
    });

    expect(delivery).toBe("delivered");
    const messages = received.get("catching-up") as { type: string; sequence?: number }[];
    expect(messages.map((m) => m.type)).toEqual([
      "event",
      "event_reference",
      "event",
      "backfill_complete",
    ]);
    expect(messages[1]).toMatchObject({ workflowId, sequence: 2 });
    expect(messages[3]).toEqual({ type: "backfill_complete", workflowId, count: 3 });
  });

  it("stops at a connection that keeps failing and says so", async () => {
    const event = await subscribed(["late"]);
    scripted.set("late", forever(FORBIDDEN));
    const delivery = await broadcaster.backfill({
      connectionId: "late",
      workflowId: event.workflowId,
      since: 0,
    });
    expect(delivery).toBe("failed");
    expect(posts).toHaveLength(POST_ATTEMPTS);
  });
});
