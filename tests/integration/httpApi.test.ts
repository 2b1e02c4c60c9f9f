import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../packages/core/src/events/types";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import { Api, oneTo, sequencesOf, type ApiError } from "../support/api";
import { useTestRuntime } from "../support/runtime";
import { allWorkflowIds, cancelAllActive, createAtPlanGate } from "../support/workflows";

const fixture = useTestRuntime();
afterEach(() => cancelAllActive(fixture.api));

type FieldIssue = { field: string; message: string };
type ListPage = { workflows: Workflow[]; nextCursor?: string };
type EventPage = { events: WorkflowEvent[]; nextSince?: number };

function fieldsOf(body: ApiError): string[] {
  expect(Array.isArray(body.details)).toBe(true);
  return (body.details as FieldIssue[]).map((d) => d.field);
}

describe("POST /api/workflows validation", () => {
  /** Sends a bad create and checks the 400, and that no workflow appeared. */
  async function refused(send: () => ReturnType<Api["create"]>): Promise<ApiError> {
    const before = await allWorkflowIds(fixture.api);
    const response = await send();
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("VALIDATION_ERROR");
    expect(typeof response.body.error).toBe("string");
    expect(await allWorkflowIds(fixture.api)).toEqual(before);
    return response.body;
  }

  it("malformed JSON → 400 VALIDATION_ERROR with details", async () => {
    const body = await refused(() =>
      fixture.api.request("POST", "/api/workflows", undefined, '{"issueId": "BAD-JSON",'),
    );
    expect(fieldsOf(body)).toEqual(["(body)"]);
  });

  it("an unknown field → 400 whose details name the field", async () => {
    const body = await refused(() => fixture.api.create({ issueId: "UNKNOWN-1", colour: "red" }));
    expect(fieldsOf(body)).toContain("colour");
  });

  it("a wrong type (issueId: 5) → 400 naming issueId", async () => {
    const body = await refused(() => fixture.api.create({ issueId: 5 }));
    expect(fieldsOf(body)).toEqual(["issueId"]);
  });

  it("a missing issueId → 400 naming issueId", async () => {
    const body = await refused(() => fixture.api.create({ title: "No issue" }));
    expect(fieldsOf(body)).toEqual(["issueId"]);
  });

  it("an issueId with a bad character → 400 naming issueId", async () => {
    for (const issueId of ["has space", "semi;colon", "quote'", "", "ünïcode"]) {
      const body = await refused(() => fixture.api.create({ issueId }));
      expect(fieldsOf(body)).toEqual(["issueId"]);
    }
  });

  it("an issueId of 129 characters → 400; 128 characters are accepted", async () => {
    const body = await refused(() => fixture.api.create({ issueId: "A".repeat(129) }));
    expect(fieldsOf(body)).toEqual(["issueId"]);

    const exact = await createAtPlanGate(fixture.api, { issueId: `${"C".repeat(121)}-._#/-x` });
    expect(exact.issueId).toHaveLength(128);
  });

  it("a repository path that does not exist → 400 naming repository", async () => {
    const missing = path.join(tmpdir(), `amelia-missing-${randomUUID()}`);
    const body = await refused(() =>
      fixture.api.create({ issueId: "REPO-1", repository: missing }),
    );
    expect(fieldsOf(body)).toEqual(["repository"]);
  });

  it("a repository that is a plain directory (not a git work tree) → 400 naming repository", async () => {
    const plain = await mkdtemp(path.join(tmpdir(), "amelia-plain-"));
    try {
      const body = await refused(() =>
        fixture.api.create({ issueId: "REPO-2", repository: plain }),
      );
      expect(fieldsOf(body)).toEqual(["repository"]);
      expect(body.error).toMatch(/not a git work tree/);
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it("a body over 1 MB → 413 PAYLOAD_TOO_LARGE, and nothing is created", async () => {
    const before = await allWorkflowIds(fixture.api);
    const raw = JSON.stringify({ issueId: "HUGE-1", description: "x".repeat(1024 * 1024) });
    const response = await fixture.api.request<ApiError>("POST", "/api/workflows", undefined, raw);
    expect(response.status).toBe(413);
    expect(response.body.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await allWorkflowIds(fixture.api)).toEqual(before);
    // The server still answers normally afterwards.
    expect((await fixture.api.request("GET", "/api/health")).status).toBe(200);
  });

  it("a body over API Gateway's 10 MB quota → its own 413, and nothing is created", async () => {
    const before = await allWorkflowIds(fixture.api);
    const raw = JSON.stringify({ issueId: "HUGE-2", description: "x".repeat(10 * 1024 * 1024) });
    const response = await fixture.api.request("POST", "/api/workflows", undefined, raw);
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ message: "Request Entity Too Large" });
    expect(await allWorkflowIds(fixture.api)).toEqual(before);
    expect((await fixture.api.request("GET", "/api/health")).status).toBe(200);
  });
});

describe("content-type", () => {
  it("a text/plain POST /api/workflows (a cross-site simple request) → 415, and nothing is created", async () => {
    const before = await allWorkflowIds(fixture.api);
    const raw = JSON.stringify({ issueId: "PLAIN-1" });
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded"]) {
      const response = await fixture.api.request<ApiError>(
        "POST",
        "/api/workflows",
        undefined,
        raw,
        contentType,
      );
      expect(response).toEqual({
        status: 415,
        body: {
          code: "UNSUPPORTED_MEDIA_TYPE",
          error: `A request body must be sent with content-type application/json, not ${contentType}`,
        },
      });
    }
    expect(await allWorkflowIds(fixture.api)).toEqual(before);
  });

  it("application/json; charset=utf-8 is JSON too", async () => {
    const raw = JSON.stringify({ issueId: "CHARSET-1" });
    const response = await fixture.api.request<Workflow>(
      "POST",
      "/api/workflows",
      undefined,
      raw,
      "application/json; charset=utf-8",
    );
    expect(response.status).toBe(201);
    expect(response.body.issueId).toBe("CHARSET-1");
  });

  it("a POST without a body needs no content-type: approve at the plan gate → 200", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "NOBODY-1" });
    const response = await fetch(`${fixture.api.baseUrl}/api/workflows/${workflow.id}/approve`, {
      method: "POST",
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Workflow).status).toBe("in_progress");
  });
});

describe("GET /api/health", () => {
  it("reports the version in the repository's package.json", async () => {
    const packageJson = JSON.parse(
      await readFile(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    const health = await fixture.api.request<{ version: string }>("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body.version).toBe(packageJson.version);
  });
});

describe("unknown workflow ids", () => {
  it("→ 404 NOT_FOUND on get, events, approve, reject and cancel", async () => {
    const id = randomUUID();
    const responses = [
      await fixture.api.get(id),
      await fixture.api.request<ApiError>("GET", `/api/workflows/${id}/events`),
      await fixture.api.approve(id),
      await fixture.api.reject(id, "Please re-plan"),
      await fixture.api.cancel(id),
    ];
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect(response.body.code).toBe("NOT_FOUND");
      expect(response.body.error).toContain(id);
    }
  });
});

describe("malformed paths", () => {
  it("a workflow id with a broken %-escape → 400, not a 500", async () => {
    const response = await fixture.api.request<ApiError>("GET", "/api/workflows/%E0%A4%A");
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("VALIDATION_ERROR");
  });
});

describe("GET /api/workflows", () => {
  it("pages with limit and nextCursor through all workflows, newest first, without repeats", async () => {
    const created: string[] = [];
    for (let n = 1; n <= 5; n++) {
      // At the gate first: cancelling a running architect only adds noise to the logs.
      const workflow = await createAtPlanGate(fixture.api, { issueId: `PAGE-${n}` });
      created.push(workflow.id);
      expect((await fixture.api.cancel(workflow.id)).status).toBe(200);
    }

    const seen: Workflow[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await fixture.api.request<ListPage>("GET", `/api/workflows?limit=2${query}`);
      expect(page.status).toBe(200);
      expect(page.body.workflows.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.workflows);
      cursor = page.body.nextCursor;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor !== undefined);

    const ids = seen.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(await allWorkflowIds(fixture.api));
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(ids.length / 2));
    // Newest first: ours appear in the reverse of the order they were created in.
    expect(ids.filter((id) => created.includes(id))).toEqual([...created].reverse());
    const createdAts = seen.map((w) => w.createdAt);
    expect(createdAts).toEqual([...createdAts].sort().reverse());
  });

  it("?status=cancelled returns only cancelled workflows", async () => {
    const kept = await createAtPlanGate(fixture.api, { issueId: "FILTER-BLOCKED" });
    const gone = await createAtPlanGate(fixture.api, { issueId: "FILTER-CANCELLED" });
    expect((await fixture.api.cancel(gone.id)).status).toBe(200);

    const page = await fixture.api.request<ListPage>(
      "GET",
      "/api/workflows?status=cancelled&limit=100",
    );
    expect(page.status).toBe(200);
    expect(page.body.workflows.length).toBeGreaterThan(0);
    expect(page.body.workflows.every((w) => w.status === "cancelled")).toBe(true);
    const ids = page.body.workflows.map((w) => w.id);
    expect(ids).toContain(gone.id);
    expect(ids).not.toContain(kept.id);

    const blocked = await fixture.api.request<ListPage>("GET", "/api/workflows?status=blocked");
    expect(blocked.body.workflows.map((w) => w.id)).toEqual([kept.id]);
  });

  it("a garbage cursor → 400 naming cursor", async () => {
    const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString("base64url");
    for (const cursor of ["garbage", "%%%", cursorOf({ pk: 1 }), cursorOf({ pk: "a", sk: "b" })]) {
      const response = await fixture.api.request<ApiError>(
        "GET",
        `/api/workflows?cursor=${encodeURIComponent(cursor)}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("VALIDATION_ERROR");
      expect(fieldsOf(response.body)).toEqual(["cursor"]);
    }
  });

  it("a cursor from another listing (another status) → 400, not a 500", async () => {
    await createAtPlanGate(fixture.api, { issueId: "CURSOR-1" });
    await createAtPlanGate(fixture.api, { issueId: "CURSOR-2" });
    const blocked = await fixture.api.request<ListPage>(
      "GET",
      "/api/workflows?status=blocked&limit=1",
    );
    expect(blocked.body.nextCursor).toBeDefined();
    const cursor = encodeURIComponent(blocked.body.nextCursor!);
    // The cursor works for the listing it came from...
    const next = await fixture.api.request<ListPage>(
      "GET",
      `/api/workflows?status=blocked&limit=1&cursor=${cursor}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.workflows).toHaveLength(1);
    expect(next.body.workflows[0]!.id).not.toBe(blocked.body.workflows[0]!.id);
    // ...and is refused as a client error by the others.
    for (const query of [`cursor=${cursor}`, `status=cancelled&cursor=${cursor}`]) {
      const response = await fixture.api.request<ApiError>("GET", `/api/workflows?${query}`);
      expect(response.status, query).toBe(400);
      expect(fieldsOf(response.body)).toEqual(["cursor"]);
    }
  });

  it("?limit=0, a limit over 100, a non-numeric limit or an unknown status → 400", async () => {
    for (const query of ["limit=0", "limit=101", "limit=two", "status=sleeping", "colour=red"]) {
      const response = await fixture.api.request<ApiError>("GET", `/api/workflows?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe("VALIDATION_ERROR");
    }
  });

  it("/active lists only pending, in_progress and blocked workflows", async () => {
    const blocked = await createAtPlanGate(fixture.api, { issueId: "ACTIVE-BLOCKED" });
    const cancelled = await createAtPlanGate(fixture.api, { issueId: "ACTIVE-CANCELLED" });
    expect((await fixture.api.cancel(cancelled.id)).status).toBe(200);

    const response = await fixture.api.request<{ workflows: Workflow[] }>(
      "GET",
      "/api/workflows/active",
    );
    expect(response.status).toBe(200);
    const ids = response.body.workflows.map((w) => w.id);
    expect(ids).toContain(blocked.id);
    expect(ids).not.toContain(cancelled.id);
    for (const workflow of response.body.workflows) {
      expect(["pending", "in_progress", "blocked"]).toContain(workflow.status);
    }
    // Everything active in the full list is in /active, and nothing else.
    const all = await fixture.api.request<ListPage>("GET", "/api/workflows?limit=100");
    const active = all.body.workflows.filter((w) =>
      ["pending", "in_progress", "blocked"].includes(w.status),
    );
    expect([...ids].sort()).toEqual(active.map((w) => w.id).sort());
  });
});

describe("GET /api/workflows/{id}/events", () => {
  it("?since=N returns only sequence > N, ascending; limit pages with nextSince", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "EVENTS-1" });
    const all = await fixture.api.events(workflow.id);
    const n = all.length;
    expect(n).toBeGreaterThan(4);
    expect(sequencesOf(all)).toEqual(oneTo(n));

    const since = await fixture.api.request<EventPage>(
      "GET",
      `/api/workflows/${workflow.id}/events?since=3`,
    );
    expect(since.status).toBe(200);
    expect(sequencesOf(since.body.events)).toEqual(oneTo(n).slice(3));
    expect(since.body.nextSince).toBeUndefined();
    expect(since.body.events).toEqual(all.slice(3));

    const past = await fixture.api.request<EventPage>(
      "GET",
      `/api/workflows/${workflow.id}/events?since=${n}`,
    );
    expect(past.body).toEqual({ events: [] });

    const paged: WorkflowEvent[] = [];
    let cursor: number | undefined = 0;
    let pages = 0;
    while (cursor !== undefined) {
      const page: { status: number; body: EventPage } = await fixture.api.request<EventPage>(
        "GET",
        `/api/workflows/${workflow.id}/events?since=${cursor}&limit=2`,
      );
      expect(page.status).toBe(200);
      expect(page.body.events.length).toBeLessThanOrEqual(2);
      expect(page.body.events.every((e) => e.sequence > cursor!)).toBe(true);
      if (page.body.nextSince !== undefined) {
        expect(page.body.nextSince).toBe(page.body.events.at(-1)?.sequence);
      }
      paged.push(...page.body.events);
      cursor = page.body.nextSince;
      pages++;
      expect(pages).toBeLessThan(50);
    }
    expect(sequencesOf(paged)).toEqual(oneTo(n));
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(n / 2));
  });

  it("a bad since or limit → 400", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "EVENTS-2" });
    for (const query of ["since=-1", "since=abc", "limit=0", "limit=1001"]) {
      const response = await fixture.api.request<ApiError>(
        "GET",
        `/api/workflows/${workflow.id}/events?${query}`,
      );
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe("VALIDATION_ERROR");
    }
  });
});
