import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { EventSequencer, type WorkflowEvent } from "@amelia/client";
import { ConnectionError, ServerRefusedError } from "../../src/errors";
import { EventFollower, type ReconnectPolicy } from "../../src/EventFollower";

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

function follow(server: { apiUrl: string; wsUrl: string }, stopAt: number) {
  const seen: number[] = [];
  const follower = new EventFollower({
    server,
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
