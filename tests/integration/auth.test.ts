import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import { Api, type ApiError } from "../support/api";
import { startTestRuntime, type TestRuntime } from "../support/runtime";
import { WsClient } from "../support/ws";

const TOKEN = "s3cret";

let runtime: TestRuntime;
let authorized: Api;
let anonymous: Api;
let wrong: Api;

beforeAll(async () => {
  runtime = await startTestRuntime({ apiToken: TOKEN });
  authorized = new Api(runtime.url, TOKEN);
  anonymous = new Api(runtime.url);
  wrong = new Api(runtime.url, "s3cret-not");
});
afterAll(() => runtime.stop());

/** Every route but the health check, with a body it would accept. */
function protectedRoutes(id: string): Array<[method: string, path: string, body?: unknown]> {
  return [
    ["POST", "/api/workflows", { issueId: "AUTH-REFUSED" }],
    ["GET", "/api/workflows"],
    ["GET", "/api/workflows/active"],
    ["GET", `/api/workflows/${id}`],
    ["GET", `/api/workflows/${id}/events`],
    ["POST", `/api/workflows/${id}/approve`],
    ["POST", `/api/workflows/${id}/reject`, { feedback: "No" }],
    ["POST", `/api/workflows/${id}/cancel`],
  ];
}

describe("HTTP API with AMELIA_API_TOKEN set", () => {
  it("/api/health is open without a token", async () => {
    const health = await anonymous.request<{ status: string }>("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("ok");
    expect((await wrong.request("GET", "/api/health")).status).toBe(200);
  });

  it("every other route → API Gateway's 401 without a token, its 403 with a wrong one", async () => {
    const created = await authorized.create({ issueId: "AUTH-TARGET" });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await authorized.waitForStatus(id, "blocked");

    const refusals: Array<[Api, number, { message: string }]> = [
      [anonymous, 401, { message: "Unauthorized" }],
      [wrong, 403, { message: "Forbidden" }],
    ];
    for (const [client, status, body] of refusals) {
      for (const [method, path, requestBody] of protectedRoutes(id)) {
        const response = await client.request<ApiError>(method, path, requestBody);
        expect(response.status, `${method} ${path}`).toBe(status);
        expect(response.body).toEqual(body);
      }
    }
    // An unknown id is still 401/403, not 404: nothing is revealed before the token is checked.
    expect((await anonymous.get(randomUUID())).status).toBe(401);
    expect((await wrong.get(randomUUID())).status).toBe(403);

    // Nothing happened: no workflow was created, the gate is still open.
    const list = await authorized.request<{ workflows: Workflow[] }>("GET", "/api/workflows");
    expect(list.body.workflows.map((w) => w.issueId)).toEqual(["AUTH-TARGET"]);
    expect((await authorized.get(id)).body).toMatchObject({ status: "blocked", gate: "plan" });
  });

  it("other schemes or a token in the query string are refused too", async () => {
    // The authorizer refuses them (403); without the Authorization header it never runs (401).
    for (const authorization of [`Basic ${TOKEN}`, TOKEN, `Bearer`, `Bearer  ${TOKEN}`]) {
      const response = await fetch(`${runtime.url}/api/workflows`, { headers: { authorization } });
      expect(response.status, authorization).toBe(403);
    }
    const query = await fetch(`${runtime.url}/api/workflows?token=${TOKEN}`);
    expect(query.status).toBe(401);
    const empty = await fetch(`${runtime.url}/api/workflows`, { headers: { authorization: "" } });
    expect(empty.status).toBe(401);
  });

  it("with Authorization: Bearer <token> → 200 / 201", async () => {
    const created = await authorized.create({ issueId: "AUTH-OK" });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await authorized.get(id)).status).toBe(200);
    expect((await authorized.request("GET", "/api/workflows")).status).toBe(200);
    expect((await authorized.request("GET", "/api/workflows/active")).status).toBe(200);
    expect((await authorized.request("GET", `/api/workflows/${id}/events`)).status).toBe(200);
    await authorized.waitForStatus(id, "blocked");
    const approved = await authorized.approve(id);
    expect(approved.status).toBe(200);
    await authorized.waitForStatus(id, "completed");
  });
});

describe("WebSocket with AMELIA_API_TOKEN set", () => {
  it("is refused without ?token= (401) or with a wrong one (403), as API Gateway does", async () => {
    await expect(WsClient.connect(runtime.wsUrl)).rejects.toThrow(/401/);
    await expect(WsClient.connect(`${runtime.wsUrl}?token=wrong`)).rejects.toThrow(/403/);
    await expect(WsClient.connect(`${runtime.wsUrl}?token=`)).rejects.toThrow(/401/);
  });

  it("works with ?token=<token>: ping, subscribe and backfill", async () => {
    const client = await WsClient.connect(`${runtime.wsUrl}?token=${TOKEN}`);
    try {
      client.send({ action: "ping" });
      await client.waitFor((m) => m.type === "pong");

      const created = await authorized.create({ issueId: "AUTH-WS" });
      await authorized.waitForStatus(created.body.id, "blocked");
      client.send({ action: "subscribe", workflowId: created.body.id, since: 0 });
      const done = await client.waitFor((m) => m.type === "backfill_complete");
      const stored = await authorized.events(created.body.id);
      expect(done).toMatchObject({ count: stored.length });
      await authorized.cancel(created.body.id);
      await client.waitFor((m) => m.type === "event" && m.event.type === "workflow_cancelled");
    } finally {
      await client.close();
    }
  });
});
