import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "../../src/ApiClient";
import { ApiError, ApiUnreachableError } from "../../src/ApiError";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A fetch that answers each request with the next of `answers`, and keeps what was sent. */
function scripted(...answers: Array<() => Response>) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => {
    const answer = answers.shift();
    if (!answer) throw new Error("no more answers");
    return answer();
  });
}

const sent = (fetch: ReturnType<typeof scripted>, call = 0) => {
  const [url, init] = fetch.mock.calls[call]!;
  return { url: String(url), init: init!, headers: new Headers(init!.headers) };
};

describe("ApiClient requests", () => {
  it("send JSON bodies as application/json with the bearer token read at each request", async () => {
    let token = "one";
    const fetch = scripted(
      () => json(200, { id: "wf-1" }),
      () => json(200, { id: "wf-1" }),
    );
    const api = new ApiClient({ baseUrl: "https://api.example", token: () => token, fetch });

    await api.reject("wf 1", "Split it");
    token = "two";
    await api.approve("wf 1");

    const reject = sent(fetch, 0);
    expect(reject.url).toBe("https://api.example/api/workflows/wf%201/reject");
    expect(reject.init.method).toBe("POST");
    expect(reject.headers.get("content-type")).toBe("application/json");
    expect(reject.headers.get("authorization")).toBe("Bearer one");
    expect(JSON.parse(String(reject.init.body))).toEqual({ feedback: "Split it" });
    const approve = sent(fetch, 1);
    expect(approve.headers.get("authorization")).toBe("Bearer two");
    expect(approve.headers.get("content-type")).toBe("application/json");
    expect(approve.init.body).toBe("{}");
  });

  it("send no body, content type or authorization on a GET without a token", async () => {
    const fetch = scripted(() => json(200, { id: "wf-1" }));
    await new ApiClient({ baseUrl: "", fetch }).getWorkflow("wf-1");
    const { init, headers } = sent(fetch);
    expect(init.body).toBeUndefined();
    expect(headers.has("content-type")).toBe(false);
    expect(headers.has("authorization")).toBe(false);
    expect(headers.get("accept")).toBe("application/json");
  });

  it("cancel with a reason only when one is given", async () => {
    const fetch = scripted(
      () => json(200, {}),
      () => json(200, {}),
    );
    const api = new ApiClient({ baseUrl: "", fetch });
    await api.cancel("wf-1");
    await api.cancel("wf-1", "not needed");
    expect(sent(fetch, 0).init.body).toBe("{}");
    expect(JSON.parse(String(sent(fetch, 1).init.body))).toEqual({ reason: "not needed" });
  });

  it("start a workflow with its budget, and raise the budget of one", async () => {
    const fetch = scripted(
      () => json(201, { id: "wf-1", budgetUsd: 5 }),
      () => json(200, { id: "wf-1", budgetUsd: 12.5 }),
    );
    const api = new ApiClient({ baseUrl: "", fetch });

    await api.createWorkflow({ issueId: "ISSUE-1", budgetUsd: 5 });
    await expect(api.raiseBudget("wf 1", 12.5)).resolves.toEqual({ id: "wf-1", budgetUsd: 12.5 });

    expect(sent(fetch, 0).url).toBe("/api/workflows");
    expect(JSON.parse(String(sent(fetch, 0).init.body))).toEqual({
      issueId: "ISSUE-1",
      budgetUsd: 5,
    });
    const raise = sent(fetch, 1);
    expect(raise.url).toBe("/api/workflows/wf%201/budget");
    expect(raise.init.method).toBe("POST");
    expect(JSON.parse(String(raise.init.body))).toEqual({ budgetUsd: 12.5 });
  });

  it("read every page of the workflows and of the events", async () => {
    const fetch = scripted(
      () => json(200, { workflows: [{ id: "a" }], nextCursor: "c1" }),
      () => json(200, { workflows: [{ id: "b" }] }),
      () => json(200, { events: [{ sequence: 4 }], nextSince: 4 }),
      () => json(200, { events: [{ sequence: 5 }] }),
    );
    const api = new ApiClient({ baseUrl: "", fetch });

    expect((await api.allWorkflows()).map((w) => w.id)).toEqual(["a", "b"]);
    const pages: number[][] = [];
    for await (const page of api.events("wf-1", 3)) pages.push(page.map((e) => e.sequence));
    expect(pages).toEqual([[4], [5]]);
    expect(fetch.mock.calls.map(([url]) => String(url))).toEqual([
      "/api/workflows?limit=100",
      "/api/workflows?limit=100&cursor=c1",
      "/api/workflows/wf-1/events?since=3",
      "/api/workflows/wf-1/events?since=4",
    ]);
  });

  it("read one event by its sequence, as a page of one after the sequence before it", async () => {
    const fetch = scripted(
      () => json(200, { events: [{ sequence: 7 }], nextSince: 7 }),
      () => json(200, { events: [] }),
    );
    const api = new ApiClient({ baseUrl: "", fetch });

    await expect(api.event("wf 1", 7)).resolves.toEqual({ sequence: 7 });
    await expect(api.event("wf 1", 8)).resolves.toBeUndefined();
    expect(fetch.mock.calls.map(([url]) => String(url))).toEqual([
      "/api/workflows/wf%201/events?since=6&limit=1",
      "/api/workflows/wf%201/events?since=7&limit=1",
    ]);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuse to read the event of sequence %s", async (sequence) => {
    const fetch = scripted();
    await expect(new ApiClient({ baseUrl: "", fetch }).event("wf-1", sequence)).rejects.toThrow(
      `An event sequence is a positive integer, not ${sequence}`,
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  it("read a check's whole log as text, with the token, its run id in the path escaped", async () => {
    const log = "> npm test\n{not json\n\u2713 passed\n";
    const fetch = scripted(
      () => new Response(log, { status: 200, headers: { "content-type": "text/plain" } }),
    );
    const api = new ApiClient({ baseUrl: "https://api.example", token: () => "t0k", fetch });

    await expect(api.checkLog("wf 1", "wf-1-2-ab/c", 3)).resolves.toBe(log);
    const { url, init, headers } = sent(fetch);
    expect(url).toBe("https://api.example/api/workflows/wf%201/checks/wf-1-2-ab%2Fc/3/log");
    expect(init.method).toBe("GET");
    expect(headers.get("accept")).toBe("text/plain");
    expect(headers.get("authorization")).toBe("Bearer t0k");
    expect(init.body).toBeUndefined();
  });

  it("read an empty check log as an empty text, and fail with the API's error for a missing one", async () => {
    const fetch = scripted(
      () => new Response("", { status: 200 }),
      () => json(404, { code: "NOT_FOUND", error: "Check log run-1/9 not found" }),
      () => new Response("<html>Bad gateway</html>", { status: 502 }),
    );
    const api = new ApiClient({ baseUrl: "", fetch });
    await expect(api.checkLog("wf-1", "run-1", 0)).resolves.toBe("");
    await expect(api.checkLog("wf-1", "run-1", 9)).rejects.toMatchObject({
      status: 404,
      code: "NOT_FOUND",
      message: "Check log run-1/9 not found",
    });
    await expect(api.checkLog("wf-1", "run-1", 1)).rejects.toMatchObject({
      status: 502,
      code: "UNEXPECTED_RESPONSE",
    });
  });

  it.each([-1, 1.5, Number.NaN])("refuse to read the log of check index %s", async (index) => {
    const fetch = scripted();
    await expect(
      new ApiClient({ baseUrl: "", fetch }).checkLog("wf-1", "r", index),
    ).rejects.toThrow(`A check's index is a non-negative integer, not ${index}`);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("return an error answer as it came when asked for the exchange itself", async () => {
    const fetch = scripted(() => json(404, { code: "NOT_FOUND", error: "Workflow x not found" }));
    const api = new ApiClient({ baseUrl: "", fetch });
    await expect(
      api.exchange("POST", "/api/workflows", undefined, { rawBody: '{"issueId":' }),
    ).resolves.toEqual({ status: 404, body: { code: "NOT_FOUND", error: "Workflow x not found" } });
    expect(sent(fetch).init.body).toBe('{"issueId":');
    expect(sent(fetch).headers.get("content-type")).toBe("application/json");
  });

  it("give up on an answer that takes longer than the timeout", async () => {
    const api = new ApiClient({
      baseUrl: "http://slow.example",
      timeoutMs: 20,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) =>
          init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason)),
        ),
    });
    await expect(api.health()).rejects.toMatchObject({
      status: 0,
      code: "NETWORK_ERROR",
      reason: "no answer in time",
      url: "http://slow.example",
    });
  });
});

describe("API errors", () => {
  it("carry the API's code, message and field details", async () => {
    const api = new ApiClient({
      baseUrl: "",
      fetch: vi.fn(async () =>
        json(400, {
          code: "VALIDATION_ERROR",
          error: "Invalid workflow: issueId must be 1-128 characters",
          details: [{ field: "issueId", message: "must be 1-128 characters" }],
        }),
      ),
    });
    const error = await api.createWorkflow({ issueId: "bad id!" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "VALIDATION_ERROR" });
    expect((error as ApiError).fieldIssues).toEqual([
      { field: "issueId", message: "must be 1-128 characters" },
    ]);
    expect((error as ApiError).needsToken).toBe(false);
  });

  it("say so when the API cannot be reached, with the reason the platform gave", async () => {
    const api = new ApiClient({
      baseUrl: "",
      fetch: vi.fn(async () => {
        throw new TypeError("Failed to fetch");
      }),
    });
    const error = await api.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect(error).toMatchObject({ status: 0, code: "NETWORK_ERROR", reason: "Failed to fetch" });
  });

  it("take the reason from the cause of Node's fetch failure (ECONNREFUSED)", async () => {
    const api = new ApiClient({
      baseUrl: "http://127.0.0.1:1",
      fetch: vi.fn(async () => {
        throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
      }),
    });
    await expect(api.health()).rejects.toMatchObject({ reason: "ECONNREFUSED" });
  });

  it("stand in as UNEXPECTED_RESPONSE when what answered is not the Amelia API", async () => {
    const answers = [
      () => new Response("<html>Bad gateway</html>", { status: 502 }),
      () => new Response("<html>a login page</html>", { status: 200 }),
      () => json(500, { message: "Internal Server Error" }),
    ];
    const api = new ApiClient({ baseUrl: "", fetch: scripted(...answers) });
    await expect(api.health()).rejects.toMatchObject({
      status: 502,
      code: "UNEXPECTED_RESPONSE",
      message: "The server answered HTTP 502 with a body that is not JSON",
    });
    await expect(api.health()).rejects.toMatchObject({ status: 200, code: "UNEXPECTED_RESPONSE" });
    await expect(api.health()).rejects.toMatchObject({
      status: 500,
      code: "UNEXPECTED_RESPONSE",
      message: "The server answered HTTP 500 without an error code",
    });
  });
});

describe("a refused token", () => {
  const refused = () => json(401, { code: "UNAUTHORIZED", error: "A valid API token is required" });

  it("is renewed once, and the request sent again with the new token", async () => {
    let token: string | undefined;
    const renewToken = vi.fn(async () => {
      token = "fresh";
      return true;
    });
    const fetch = scripted(refused, () => json(200, { workflows: [] }));
    const api = new ApiClient({ baseUrl: "", token: () => token, renewToken, fetch });

    await expect(api.activeWorkflows()).resolves.toEqual({ workflows: [] });
    expect(renewToken).toHaveBeenCalledOnce();
    expect(sent(fetch, 0).headers.has("authorization")).toBe(false);
    expect(sent(fetch, 1).headers.get("authorization")).toBe("Bearer fresh");
  });

  it("is renewed for a check's log too, which then comes as text", async () => {
    let token: string | undefined;
    const renewToken = vi.fn(async () => {
      token = "fresh";
      return true;
    });
    const fetch = scripted(refused, () => new Response("all good\n", { status: 200 }));
    const api = new ApiClient({ baseUrl: "", token: () => token, renewToken, fetch });

    await expect(api.checkLog("wf-1", "run-1", 0)).resolves.toBe("all good\n");
    expect(renewToken).toHaveBeenCalledOnce();
    expect(sent(fetch, 1).headers.get("authorization")).toBe("Bearer fresh");
  });

  it("fails with needsToken when no new token comes, or the new one is refused too", async () => {
    const declined = new ApiClient({
      baseUrl: "",
      renewToken: async () => false,
      fetch: scripted(refused),
    });
    const error = await declined.activeWorkflows().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: "UNAUTHORIZED", needsToken: true });

    const renewToken = vi.fn(async () => true);
    const fetch = scripted(refused, refused);
    const stillWrong = new ApiClient({ baseUrl: "", renewToken, fetch });
    await expect(stillWrong.activeWorkflows()).rejects.toMatchObject({ needsToken: true });
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(renewToken).toHaveBeenCalledOnce();
  });

  it.each([
    [403, "Forbidden"],
    [401, "Unauthorized"],
  ])(
    "is recognised in API Gateway's own %i {message: %s}, with no code: renewed, then UNAUTHORIZED",
    async (status, message) => {
      const gateway = () => json(status, { message });
      const renewToken = vi.fn(async () => true);
      const fetch = scripted(gateway, gateway);
      const api = new ApiClient({ baseUrl: "", renewToken, fetch });

      const error = await api.listWorkflows().catch((e: unknown) => e);
      expect(renewToken).toHaveBeenCalledOnce();
      expect(fetch).toHaveBeenCalledTimes(2);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({
        status,
        code: "UNAUTHORIZED",
        needsToken: true,
        message: `A valid API token is required (the API gateway answered ${status} ${message})`,
      });
    },
  );

  it("is not what a 403 of the product itself, or another gateway answer, means", async () => {
    const renewToken = vi.fn(async () => true);
    const api = new ApiClient({
      baseUrl: "",
      renewToken,
      fetch: scripted(
        () => json(403, { code: "FORBIDDEN", error: "Requests from http://evil.test are refused" }),
        () => json(404, { message: "Not Found" }),
      ),
    });
    await expect(api.health()).rejects.toMatchObject({ code: "FORBIDDEN", needsToken: false });
    await expect(api.health()).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
      needsToken: false,
    });
    expect(renewToken).not.toHaveBeenCalled();
  });

  it("is not renewed for other errors", async () => {
    const renewToken = vi.fn(async () => true);
    const api = new ApiClient({
      baseUrl: "",
      renewToken,
      fetch: scripted(() => json(409, { code: "INVALID_STATE", error: "Not at a gate" })),
    });
    await expect(api.approve("wf-1")).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(renewToken).not.toHaveBeenCalled();
  });
});
