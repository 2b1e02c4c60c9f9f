import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../src/api/ApiClient";
import { ApiError } from "../src/api/ApiError";
import { TokenStore } from "../src/auth/TokenStore";
import { endpoints, socketUrl } from "../src/config";

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

describe("API token", () => {
  it("is asked for once when the API answers 401, kept, and sent on every request after", async () => {
    const storage = memoryStorage();
    const tokens = new TokenStore(storage);
    const fetch = guardedFetch();
    const api = new ApiClient("https://api.example", tokens, fetch);

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
    const tokens = new TokenStore(memoryStorage());
    const api = new ApiClient("", tokens, guardedFetch());

    const first = api.listWorkflows();
    await vi.waitFor(() => expect(tokens.asking).toBe(true));
    tokens.answer(undefined);
    await expect(first).rejects.toMatchObject({ status: 401, code: "UNAUTHORIZED" });

    await expect(api.listWorkflows()).rejects.toBeInstanceOf(ApiError);
    expect(tokens.asking).toBe(false);
    void tokens.ask(true); // the header's "API token" button asks again
    expect(tokens.asking).toBe(true);
  });

  it("goes on the WebSocket URL as the token query parameter", () => {
    expect(socketUrl("wss://ws.example/prod", "a b&c")).toBe("wss://ws.example/prod?token=a+b%26c");
    expect(socketUrl("ws://127.0.0.1:8420/ws", undefined)).toBe("ws://127.0.0.1:8420/ws");
  });
});

describe("endpoints", () => {
  it("default to this host, and come from VITE_API_URL and VITE_WS_URL when set", () => {
    const page = { protocol: "https:", host: "amelia.example" };
    expect(endpoints({}, page)).toEqual({ apiUrl: "", wsUrl: "wss://amelia.example/ws" });
    expect(endpoints({}, { protocol: "http:", host: "127.0.0.1:8420" }).wsUrl).toBe(
      "ws://127.0.0.1:8420/ws",
    );
    expect(
      endpoints(
        { VITE_API_URL: "https://abc.execute-api.example/", VITE_WS_URL: "wss://def.example/prod" },
        page,
      ),
    ).toEqual({ apiUrl: "https://abc.execute-api.example", wsUrl: "wss://def.example/prod" });
  });
});

describe("API errors", () => {
  it("carry the API's code, message and field details", async () => {
    const api = new ApiClient(
      "",
      new TokenStore(memoryStorage()),
      vi.fn(async () =>
        json(400, {
          code: "VALIDATION_ERROR",
          error: "Invalid workflow: issueId must be 1-128 characters",
          details: [{ field: "issueId", message: "must be 1-128 characters" }],
        }),
      ),
    );
    const error = await api.createWorkflow({ issueId: "bad id!" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "VALIDATION_ERROR" });
    expect((error as ApiError).fieldIssues).toEqual([
      { field: "issueId", message: "must be 1-128 characters" },
    ]);
  });

  it("say so when the API cannot be reached", async () => {
    const api = new ApiClient(
      "",
      new TokenStore(memoryStorage()),
      vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    );
    await expect(api.health()).rejects.toMatchObject({ status: 0, code: "NETWORK_ERROR" });
  });
});
