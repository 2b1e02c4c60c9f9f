import { ApiError, type SocketLike } from "@amelia/client";
import { describe, expect, it, vi } from "vitest";
import { createServices } from "../src/services";

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A server that wants `Bearer s3cret`. */
function guardedFetch() {
  return vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    const auth = new Headers(init?.headers).get("authorization");
    return auth === "Bearer s3cret"
      ? json(200, { workflows: [] })
      : json(401, { code: "UNAUTHORIZED", error: "A valid API token is required" });
  });
}

const ENDPOINTS = { apiUrl: "https://api.example", wsUrl: "wss://ws.example/prod" };

describe("API token", () => {
  it("is asked for once when the API answers 401, kept, and sent on every request after", async () => {
    const storage = memoryStorage();
    const fetch = guardedFetch();
    const { api, tokens } = createServices(ENDPOINTS, { storage, fetch });

    const both = Promise.all([api.listWorkflows(), api.activeWorkflows()]);
    await vi.waitFor(() => expect(tokens.asking).toBe(true));
    tokens.answer("  s3cret ");
    await expect(both).resolves.toHaveLength(2);

    expect(storage.getItem("amelia.apiToken")).toBe("s3cret");
    expect(fetch).toHaveBeenCalledTimes(4); // each request: refused once, then accepted
    await api.listWorkflows();
    expect(fetch).toHaveBeenCalledTimes(5);
    expect(String(fetch.mock.calls[4]![0])).toBe("https://api.example/api/workflows?limit=50");
  });

  it("stops asking once the person dismisses the question, and the request fails with the API's error", async () => {
    const { api, tokens } = createServices(
      { apiUrl: "", wsUrl: ENDPOINTS.wsUrl },
      { storage: memoryStorage(), fetch: guardedFetch() },
    );

    const first = api.listWorkflows();
    await vi.waitFor(() => expect(tokens.asking).toBe(true));
    tokens.answer(undefined);
    await expect(first).rejects.toMatchObject({ status: 401, code: "UNAUTHORIZED" });

    await expect(api.listWorkflows()).rejects.toBeInstanceOf(ApiError);
    expect(tokens.asking).toBe(false);
    void tokens.ask(true); // the header's "API token" button asks again
    expect(tokens.asking).toBe(true);
  });

  it("goes on the WebSocket URL, and a new token opens a new connection with it", () => {
    const urls: string[] = [];
    const { live, tokens } = createServices(ENDPOINTS, {
      storage: memoryStorage(),
      fetch: guardedFetch(),
      createSocket: (url): SocketLike => {
        urls.push(url);
        return {
          readyState: 0,
          onopen: null,
          onmessage: null,
          onclose: null,
          send() {},
          close() {},
        };
      },
    });
    live.start();
    void tokens.ask(true);
    tokens.answer("a b&c");
    expect(urls).toEqual(["wss://ws.example/prod", "wss://ws.example/prod?token=a+b%26c"]);
    live.stop();
  });
});

describe("The live connection", () => {
  it("reads an event too large for a WebSocket message through the API, with the token", async () => {
    const storage = memoryStorage();
    storage.setItem("amelia.apiToken", "s3cret");
    const large = { workflowId: "wf-1", sequence: 1, data: { plan: "x".repeat(300_000) } };
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      json(200, { events: [large] }),
    );
    const sockets: SocketLike[] = [];
    const { live } = createServices(ENDPOINTS, {
      storage,
      fetch,
      createSocket: (): SocketLike => {
        const socket: SocketLike = {
          readyState: 1,
          onopen: null,
          onmessage: null,
          onclose: null,
          send() {},
          close() {},
        };
        sockets.push(socket);
        return socket;
      },
    });
    live.follow("wf-1", () => {});
    live.start();
    sockets[0]!.onopen?.({});
    const reference = { type: "event_reference", workflowId: "wf-1", sequence: 1, bytes: 300_100 };
    sockets[0]!.onmessage?.({ data: JSON.stringify(reference) });

    await vi.waitFor(() => expect(live.snapshot("wf-1").events).toEqual([large]));
    const [url, init] = fetch.mock.calls[0]!;
    expect(String(url)).toBe("https://api.example/api/workflows/wf-1/events?since=0&limit=1");
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer s3cret");
    live.stop();
  });
});
