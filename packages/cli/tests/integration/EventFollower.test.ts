import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { ApiClient, EventSequencer, type WorkflowEvent } from "@amelia/client";
import { logs } from "../../src/commands/logs";
import { start } from "../../src/commands/start";
import { ConnectionError, ServerRefusedError } from "../../src/errors";
import { EventFollower, type FollowOptions, type ReconnectPolicy } from "../../src/EventFollower";
import { Output } from "../../src/Output";

const FAST: ReconnectPolicy = { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 3 };
const servers: WebSocketServer[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          for (const client of server.clients) client.terminate();
          server.close(resolve);
        }),
    ),
  );
});

function event(sequence: number, type: WorkflowEvent["type"] = "agent_message"): WorkflowEvent {
  return {
    id: `e${sequence}`,
    workflowId: "wf",
    sequence,
    timestamp: new Date(0).toISOString(),
    type,
    agent: "system",
    level: "info",
    message: `event ${sequence}`,
    data: {},
  } as WorkflowEvent;
}

/**
 * A stand-in WebSocket server: records each subscribe it gets and answers it with `reply`
 * (the connection's number, the `since` asked for, the socket).
 */
async function fakeServer(
  reply: (connection: number, since: number, socket: WebSocket) => void,
  options: { refuseWith?: number } = {},
) {
  const subscribes: Array<{ workflowId: string; since: number }> = [];
  const server = new WebSocketServer({
    port: 0,
    host: "127.0.0.1",
    ...(options.refuseWith !== undefined && {
      verifyClient: (_info, done) => done(false, options.refuseWith),
    }),
  });
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  let connections = 0;
  server.on("connection", (socket) => {
    const connection = ++connections;
    socket.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { action: string; since: number };
      if (message.action !== "subscribe") return;
      subscribes.push(message as never);
      socket.send(JSON.stringify({ type: "subscribed", workflowId: "wf" }));
      reply(connection, message.since, socket);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    subscribes,
    connections: () => connections,
    server: { apiUrl: "http://127.0.0.1:1", wsUrl: `ws://127.0.0.1:${port}` },
  };
}

const send = (socket: WebSocket, ...events: WorkflowEvent[]) =>
  events.forEach((e) => socket.send(JSON.stringify({ type: "event", event: e })));

/** An event of a 300 KB plan: the server sends only a reference to it over the WebSocket. */
const largeEvent = (sequence: number) =>
  ({
    ...event(sequence, "plan_created"),
    data: { plan: "x".repeat(300_000), round: 1 },
  }) as WorkflowEvent;

const refer = (socket: WebSocket, e: WorkflowEvent) =>
  socket.send(
    JSON.stringify({
      type: "event_reference",
      workflowId: e.workflowId,
      sequence: e.sequence,
      bytes: JSON.stringify(e).length,
    }),
  );

/** For tests in which the server refers to no event. */
const NO_READS: FollowOptions["api"] = {
  event: () => Promise.reject(new Error("this test refers to no event")),
};

function follow(
  server: { apiUrl: string; wsUrl: string },
  stopAt: number,
  api: FollowOptions["api"] = NO_READS,
) {
  const seen: number[] = [];
  const follower = new EventFollower({
    server,
    api,
    workflowId: "wf",
    sequencer: new EventSequencer(),
    reconnect: FAST,
    onEvent: (e) => {
      seen.push(e.sequence);
      return e.sequence === stopAt;
    },
  });
  return { seen, done: follower.run() };
}

describe("EventFollower", () => {
  it("hands over events in sequence order, each once, whatever order and repeats they arrive in", async () => {
    const fake = await fakeServer((_, __, socket) =>
      send(socket, event(2), event(1), event(1), event(3), event(2), event(5), event(4)),
    );
    const { seen, done } = follow(fake.server, 5);
    await done;
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it("reads an event the server only refers to over HTTP and hands it over in its place", async () => {
    const fake = await fakeServer((_, __, socket) => {
      send(socket, event(1));
      refer(socket, largeEvent(2));
      send(socket, event(3));
    });
    const reads: Array<[string, number]> = [];
    const api: FollowOptions["api"] = {
      event: async (id, sequence) => {
        reads.push([id, sequence]);
        return largeEvent(sequence);
      },
    };
    const { seen, done } = follow(fake.server, 3, api);
    await done;
    expect(seen).toEqual([1, 2, 3]);
    expect(reads).toEqual([["wf", 2]]);
  });

  it("after a drop, reconnects and resubscribes with since = the last sequence handed over", async () => {
    const fake = await fakeServer((connection, since, socket) => {
      if (connection === 1) {
        send(socket, event(1), event(2));
        setTimeout(() => socket.terminate(), 20);
      } else {
        // A backfill from `since`, and a repeat of what was already seen.
        send(socket, event(2), ...[3, 4].filter((n) => n > since).map((n) => event(n)));
      }
    });
    const { seen, done } = follow(fake.server, 4);
    await done;
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(fake.subscribes).toEqual([
      { action: "subscribe", workflowId: "wf", since: 0 },
      { action: "subscribe", workflowId: "wf", since: 2 },
    ]);
  });

  it("an error message from the server ends it with that code", async () => {
    const fake = await fakeServer((_, __, socket) =>
      socket.send(
        JSON.stringify({ type: "error", code: "NOT_FOUND", error: "Workflow wf not found" }),
      ),
    );
    const { done } = follow(fake.server, 1);
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerRefusedError);
    expect(error).toMatchObject({
      code: "NOT_FOUND",
      message: "Workflow wf not found",
      exitCode: 1,
    });
  });

  it.each([401, 403])(
    "a refused token (HTTP %i on the upgrade) ends it at once as UNAUTHORIZED",
    async (status) => {
      const fake = await fakeServer(() => undefined, { refuseWith: status });
      const { done } = follow(fake.server, 1);
      await expect(done).rejects.toMatchObject({
        code: "UNAUTHORIZED",
        exitCode: 1,
        hint: "The server needs a token: set AMELIA_API_TOKEN.",
      });
      expect(fake.connections()).toBe(0);
    },
  );

  it("gives up with a connection error after the policy's attempts when nothing answers", async () => {
    const fake = await fakeServer(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const attempts: number[] = [];
    const follower = new EventFollower({
      server: fake.server,
      api: NO_READS,
      workflowId: "wf",
      sequencer: new EventSequencer(),
      reconnect: FAST,
      onEvent: () => false,
      onReconnecting: (attempt) => attempts.push(attempt),
    });
    const error = await follower.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ exitCode: 3, hint: expect.stringContaining("AMELIA_API_URL=") });
    expect(attempts).toEqual([1, 2, 3]);
  });
});

describe("--follow with an event too large for one WebSocket message", () => {
  it.each(["logs", "start"] as const)(
    "%s --follow reads it over HTTP and prints it in its place, like any other",
    async (command) => {
      const all = [event(1), largeEvent(2), event(3, "workflow_completed")];
      // When the command starts only event 1 is stored; the workflow runs on as it subscribes.
      let stored = all.slice(0, 1);
      const fake = await fakeServer((_, since, socket) => {
        stored = all;
        for (const e of all.filter((e) => e.sequence > since)) {
          if (e.sequence === 2) refer(socket, e);
          else send(socket, e);
        }
      });
      const requests: string[] = [];
      const api = new ApiClient({
        baseUrl: fake.server.apiUrl,
        fetch: async (input, init) => {
          const url = new URL(String(input));
          requests.push(`${init?.method} ${url.pathname}${url.search}`);
          if (init?.method === "POST") return Response.json({ id: "wf", issueId: "BIG-1" });
          const since = Number(url.searchParams.get("since"));
          const limit = Number(url.searchParams.get("limit") ?? stored.length);
          return Response.json({
            events: stored.filter((e) => e.sequence > since).slice(0, limit),
          });
        },
      });
      let stdout = "";
      const output = await Output.create({
        json: true,
        color: false,
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        env: {},
      });
      const context = { output, api, server: fake.server, cwd: tmpdir() };

      const code =
        command === "logs"
          ? await logs(context, "wf", { follow: true })
          : await start(context, "BIG-1", { repo: false, follow: true });

      expect(code).toBe(0);
      const records = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown);
      expect(command === "start" ? records.slice(1) : records).toEqual(all);
      expect(requests).toContain("GET /api/workflows/wf/events?since=1&limit=1");
    },
  );
});
