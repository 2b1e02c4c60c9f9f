import { beforeEach, describe, expect, it } from "vitest";
import type { ApiError } from "../support/api";
import {
  apiError,
  overloaded,
  reply,
  text,
  toolUse,
  type RecordedRequest,
} from "../support/fakeAnthropic";
import { useClaudeRuntime } from "../support/runtime";
import { cancelAllActive, ofType, sleep } from "../support/workflows";

// Long enough that the state machine's retries, however slow the machine, meet an open breaker.
const COOLDOWN_MS = 3_000;
// Whole messages instead of SSE here (the other path), and retries that wait milliseconds.
const { fake, fixture } = await useClaudeRuntime({
  AMELIA_ANTHROPIC_STREAMING: "false",
  AMELIA_LLM_MAX_RETRIES: "4",
  AMELIA_LLM_RETRY_BASE_MS: "5",
  AMELIA_LLM_RETRY_MAX_MS: "20",
  AMELIA_LLM_BREAKER_THRESHOLD: "5",
  AMELIA_LLM_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
});

beforeEach(async () => {
  await cancelAllActive(fixture.api);
  fake.reset();
});

const plan = (body = "# Plan\n\n1. Do it.") => reply(toolUse("submit_plan", { plan: body }));
let issues = 0;

async function start(title: string) {
  const created = await fixture.api.create({ issueId: `RES-${++issues}`, title });
  expect(created.status).toBe(201);
  return created.body.id;
}

function lastUserText(request: RecordedRequest): string {
  return JSON.stringify(request.body.messages.at(-1));
}

describe("calls to the Anthropic API", () => {
  it("retries 429 (with retry-after) and 500 answers, then goes on", async () => {
    fake.script(
      "architect",
      apiError(429, "rate_limit_error", "Slow down", 1),
      apiError(500, "api_error", "Internal error"),
      plan(),
    );
    const id = await start("Retry");
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.plan).toBe("# Plan\n\n1. Do it.");
    expect(fake.requestsOf("architect").map((r) => r.status)).toEqual([429, 500, 200]);
    const events = await fixture.api.events(id);
    expect(ofType(events, "system_error")).toHaveLength(0);
    // Only the call that was answered is billed.
    expect(ofType(events, "token_usage")).toHaveLength(1);
  });

  it("does not retry a refused request (400): the stage fails at once with the API's reason", async () => {
    fake.script("architect", apiError(400, "invalid_request_error", "messages.0: bad content"));
    const id = await start("Refused");
    const failed = await fixture.api.waitForStatus(id, "failed");
    expect(failed.failureReason).toBe(
      "The architect stage failed: The Anthropic API refused the request: " +
        "400 invalid_request_error: messages.0: bad content",
    );
    expect(fake.requestsOf("architect")).toHaveLength(1);
    // Neither the client nor the state machine tried again.
    expect(ofType(await fixture.api.events(id), "system_error")).toHaveLength(1);
  });
});

describe("malformed answers", () => {
  it("corrects an invalid submission once, with the validation error", async () => {
    fake.script(
      "architect",
      reply(toolUse("submit_plan", { plan: "   " })),
      plan("# Plan\n\nFixed."),
    );
    const id = await start("Correct once");
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.plan).toBe("# Plan\n\nFixed.");
    const correction = fake.requestsOf("architect")[1]!;
    expect(lastUserText(correction)).toContain('"is_error":true');
    expect(lastUserText(correction)).toMatch(/Invalid submit_plan input: plan: /);
  });

  it("fails the stage clearly when the answer is malformed again after the correction", async () => {
    fake.script(
      "architect",
      reply(text("Here is my plan: do it.")),
      reply(toolUse("submit_plan", { title: "no plan field" })),
    );
    const id = await start("Malformed twice");
    const failed = await fixture.api.waitForStatus(id, "failed");
    expect(failed.failureReason).toMatch(
      /^The architect stage failed: The architect's answer was malformed again after a correction: its submit_plan input was invalid/,
    );
    const [, second] = fake.requestsOf("architect");
    expect(lastUserText(second!)).toContain("You ended your turn without calling a tool");
    expect(fake.requestsOf("architect")).toHaveLength(2);
  });

  it("drops a tool call cut off by max_tokens and asks for smaller steps", async () => {
    fake.script(
      "architect",
      {
        content: [text("Writing a long plan"), toolUse("submit_plan", { plan: "# Pl" })],
        stop_reason: "max_tokens",
      },
      plan(),
    );
    const id = await start("Cut off");
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked.plan).toBe("# Plan\n\n1. Do it.");
    const [, retry] = fake.requestsOf("architect");
    expect(lastUserText(retry!)).toContain("cut off at the output limit of 32000 tokens");
    // The cut-off call was not sent back: the assistant turn kept only its text.
    expect(JSON.stringify(retry!.body.messages[1])).not.toContain("tool_use");
  });
});

describe("an outage", () => {
  it("is retried, then fails fast once the breaker opens; resume continues the failed stage", async () => {
    fake.script("architect", plan());
    fake.script(
      "developer",
      reply(toolUse("create_file", { path: "notes.md", content: "# Notes\n" })),
    );
    fake.otherwise("developer", overloaded(0));
    const id = await start("Outage");
    await fixture.api.waitForStatus(id, "blocked");
    expect((await fixture.api.approve(id)).status).toBe(200);

    const failed = await fixture.api.waitForStatus(id, "failed");
    expect(failed.stage).toBe("developer");
    expect(failed.failureReason).toMatch(
      /^The developer stage failed: The Anthropic API looks unavailable: its circuit breaker is open after repeated failures \(last: 529 overloaded_error: Overloaded\)/,
    );
    // One good call, then 1 + 4 retries of the next one; the breaker opened at the 5th failure,
    // so the state machine's two retries failed fast without calling the API.
    expect(fake.requestsOf("developer").map((r) => r.status)).toEqual([
      200, 529, 529, 529, 529, 529,
    ]);
    const attempts = ofType(await fixture.api.events(id), "system_error");
    expect(attempts).toHaveLength(3);
    expect(attempts[0]!.data.error).toMatch(/failed 5 times in a row \(last: 529 overloaded_error/);
    expect(attempts[2]!.data.error).toMatch(/circuit breaker is open/);

    // A person resumes once the API is back (and the breaker lets a probe through).
    fake.reset();
    fake.script("developer", reply(toolUse("finish", { summary: "Wrote the notes." })));
    fake.script(
      "reviewer",
      reply(toolUse("submit_review", { approved: true, severity: "none", comments: [] })),
    );
    await sleep(COOLDOWN_MS);
    const resumed = await fixture.api.request<{ status: string } & ApiError>(
      "POST",
      `/api/workflows/${id}/resume`,
    );
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe("in_progress");
    const done = await fixture.api.waitForStatus(id, "completed");
    expect(done.failureReason).toBeUndefined();

    // The developer went on from its saved conversation: the file it created is in it.
    const [continued] = fake.requestsOf("developer");
    expect(JSON.stringify(continued!.body.messages)).toContain("Created notes.md");
    const events = await fixture.api.events(id);
    const resumedAt = events.findIndex((e) => e.type === "workflow_resumed");
    expect(events[resumedAt]).toMatchObject({
      agent: "human",
      data: { stage: "developer", failureReason: failed.failureReason },
    });
    const after = events.slice(resumedAt);
    expect(after.some((e) => e.type === "stage_started" && e.agent === "architect")).toBe(false);
    expect(after.some((e) => e.message.startsWith("Developer continues round 1"))).toBe(true);
    expect(ofType(events, "file_created").map((e) => e.data.path)).toEqual(["notes.md"]);
    expect(ofType(events, "workflow_failed")).toHaveLength(1);
  });

  it("resumes a workflow only while no other active one holds its issue", async () => {
    fake.script("architect", apiError(400, "invalid_request_error", "bad"));
    const created = await fixture.api.create({ issueId: "RES-SHARED", title: "First" });
    const first = created.body.id;
    await fixture.api.waitForStatus(first, "failed");

    fake.script("architect", plan());
    const second = await fixture.api.create({ issueId: "RES-SHARED", title: "Second" });
    expect(second.status).toBe(201);
    await fixture.api.waitForStatus(second.body.id, "blocked");
    const conflict = await fixture.api.request<ApiError>("POST", `/api/workflows/${first}/resume`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe("WORKFLOW_CONFLICT");
    expect((await fixture.api.get(first)).body.status).toBe("failed");

    // Once the issue is free, the first one resumes at its architect, which plans this time.
    await fixture.api.cancel(second.body.id);
    fake.script("architect", plan("# Plan\n\nSecond try."));
    const resumed = await fixture.api.request("POST", `/api/workflows/${first}/resume`);
    expect(resumed.status).toBe(200);
    const blocked = await fixture.api.waitForStatus(first, "blocked");
    expect(blocked.plan).toBe("# Plan\n\nSecond try.");
  });

  it("resumes only a failed workflow", async () => {
    fake.script("architect", plan());
    const id = await start("Not failed");
    await fixture.api.waitForStatus(id, "blocked");
    const blocked = await fixture.api.request<ApiError>("POST", `/api/workflows/${id}/resume`);
    expect(blocked.status).toBe(422);
    expect(blocked.body).toMatchObject({
      code: "INVALID_STATE",
      error: expect.stringContaining("only a failed workflow can be resumed"),
    });
    const unknown = await fixture.api.request<ApiError>("POST", "/api/workflows/nope/resume");
    expect(unknown.status).toBe(404);
    const withBody = await fixture.api.request<ApiError>("POST", `/api/workflows/${id}/resume`, {
      force: true,
    });
    expect(withBody.status).toBe(400);
  });
});
