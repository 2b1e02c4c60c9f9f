import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { useTestRuntime } from "../support/runtime";
import { allWorkflowIds } from "../support/workflows";
import { WsClient } from "../support/ws";

const VITE = "http://127.0.0.1:5173";
const fixture = useTestRuntime({ allowedOrigins: [VITE] });

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request as a browser's page (or a rebound DNS name) sends it: headers exactly as given. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawResponse> {
  const { port } = new URL(fixture.runtime.url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: "127.0.0.1", port, method, path, headers, setHost: !("host" in headers) },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        response.on("end", () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: text }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const workflow = JSON.stringify({ issueId: "ORIGIN-1", title: "Sent by a page" });

describe("browsers from other origins", () => {
  it("refuses a text/plain POST from a foreign page, and creates nothing", async () => {
    const before = await allWorkflowIds(fixture.api);
    const response = await send(
      "POST",
      "/api/workflows",
      { origin: "http://evil.test", "content-type": "text/plain" },
      workflow,
    );
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).message).toMatch(/^Forbidden/);
    expect(await allWorkflowIds(fixture.api)).toEqual(before);
  });

  it("refuses a Host that is not the runtime's own (DNS rebinding), even with no Origin", async () => {
    const { port } = new URL(fixture.runtime.url);
    for (const host of [
      "evil.test",
      `evil.test:${port}`,
      "127.0.0.1:1",
      `localhost.evil.test:${port}`,
    ]) {
      const response = await send("GET", "/api/health", { host });
      expect(response.status, host).toBe(403);
    }
    const page = await send("GET", "/", { host: `evil.test:${port}` });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain("<title>Amelia</title>");
  });

  it("refuses a WebSocket upgrade from a foreign page", async () => {
    await expect(
      WsClient.connect(fixture.runtime.wsUrl, { origin: "http://evil.test" }),
    ).rejects.toThrow(/403/);
  });

  it("serves its own pages, the allowed origins, and clients that send no Origin", async () => {
    const { port } = new URL(fixture.runtime.url);
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`, VITE]) {
      const health = await send("GET", "/api/health", { origin });
      expect(health.status, origin).toBe(200);
    }
    // A proxy that keeps the browser's Host (Vite's) is one of the allowed origins.
    const proxied = await send("GET", "/api/health", { host: "127.0.0.1:5173", origin: VITE });
    expect(proxied.status).toBe(200);
    const local = await send("GET", "/api/health", { host: `localhost:${port}` });
    expect(local.status).toBe(200);

    // curl, the CLI and Node's fetch send no Origin.
    const created = await fixture.api.create({ issueId: "ORIGIN-2" });
    expect(created.status).toBe(201);
    const socket = await WsClient.connect(fixture.runtime.wsUrl);
    socket.send({ action: "ping" });
    await socket.waitFor((m) => m.type === "pong");
    await socket.close();
    const own = await WsClient.connect(fixture.runtime.wsUrl, {
      origin: `http://127.0.0.1:${port}`,
    });
    await own.close();
  });
});
