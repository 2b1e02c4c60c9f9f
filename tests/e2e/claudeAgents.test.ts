import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { quoteUntrusted } from "../../packages/core/src/agents/prompts/untrustedData";
import type { UsageReport } from "../../packages/core/src/usage/usageReport";
import { oneTo, sequencesOf, type ApiError } from "../support/api";
import {
  reply,
  text,
  toolUse,
  type MessageReply,
  type RecordedRequest,
  type Usage,
} from "../support/fakeAnthropic";
import { commitAll, createGitRepository, gitOutput } from "../support/git";
import { useClaudeRuntime } from "../support/runtime";
import { ofType } from "../support/workflows";

const { fake, fixture } = await useClaudeRuntime({ AMELIA_DEVELOPER_TURNS_PER_INVOCATION: "2" });

/** Distinct numbers per call and per field, so a sum that mixes fields up cannot match. */
let calls = 0;
function billed(message: MessageReply): MessageReply {
  calls += 1;
  const usage: Usage = {
    input_tokens: 1_000 + calls,
    output_tokens: 300 + 7 * calls,
    cache_read_input_tokens: 5_000 * calls,
    cache_creation_input_tokens: 2_000 + 11 * calls,
  };
  return { ...message, usage };
}

const PLAN = [
  "# Plan: Friendlier greetings",
  "",
  "## Steps",
  "1. Capitalise the greeting in `src/greeting.ts`.",
  "2. Add `src/farewell.ts`.",
  "3. Remove `obsolete.txt`.",
].join("\n");

/** A long streamed answer: the fake sends it in 16-character deltas. */
const LONG_NOTE = Array.from(
  { length: 60 },
  (_, i) => `Line ${i + 1}: reading the code before changing it.`,
).join("\n");

/** The repository the agents work on: three files on `main`. */
async function repositoryWithCode(): Promise<string> {
  const root = await createGitRepository();
  await mkdir(path.join(root, "src"));
  await writeFile(path.join(root, "src/greeting.ts"), "export const greeting = 'hello';\n");
  await writeFile(path.join(root, "obsolete.txt"), "remove me\n");
  commitAll(root, "Code");
  return root;
}

function lastUserBlocks(request: RecordedRequest): Record<string, unknown>[] {
  const last = request.body.messages.at(-1);
  return typeof last?.content === "string" ? [] : (last?.content ?? []);
}

function toolResults(request: RecordedRequest) {
  return lastUserBlocks(request).filter((block) => block.type === "tool_result") as {
    content: string;
    is_error?: boolean;
  }[];
}

describe("Claude agents against the fake Messages API", () => {
  it("plans, implements in a real repository, loops with the reviewer, and accounts every token", async () => {
    const repository = await repositoryWithCode();
    fake.script(
      "architect",
      billed(
        reply(
          text("Let me read the code first."),
          toolUse("read_file", { path: "src/greeting.ts" }),
        ),
      ),
      billed(reply(text("I have what I need."), toolUse("submit_plan", { plan: PLAN }))),
    );
    fake.script(
      "developer",
      // Round 1, invocation 1 (a budget of two turns).
      billed(
        reply(
          text(LONG_NOTE),
          toolUse("list_files", {}),
          toolUse("search_files", { text: "hello" }),
        ),
      ),
      billed(
        reply(
          toolUse("edit_file", {
            path: "src/greeting.ts",
            old_text: "'hello'",
            new_text: "'Hello, world'",
          }),
          toolUse("create_file", {
            path: "src/farewell.ts",
            content: "export const farewell = 'bye';\n",
          }),
          toolUse("create_file", { path: "../escape.txt", content: "out\n" }),
          toolUse("create_file", { path: "/tmp/amelia-absolute.txt", content: "out\n" }),
        ),
      ),
      // Round 1, invocation 2.
      billed(
        reply(
          toolUse("delete_file", { path: "obsolete.txt" }),
          toolUse("finish", {
            summary: "Capitalised the greeting, added farewell, removed obsolete.txt.",
          }),
        ),
      ),
      // Round 2, after the review.
      billed(
        reply(
          toolUse("edit_file", {
            path: "src/farewell.ts",
            old_text: "export const farewell = 'bye';",
            new_text: "export function farewell(): string {\n  return 'bye';\n}",
          }),
          toolUse("finish", { summary: "farewell is a function now." }),
        ),
      ),
    );
    fake.script(
      "reviewer",
      billed(
        reply(
          toolUse("submit_review", {
            approved: false,
            severity: "minor",
            comments: ["src/farewell.ts: export a function, not a constant"],
          }),
        ),
      ),
      billed(
        reply(
          text("Looks right."),
          toolUse("submit_review", { approved: true, severity: "none", comments: [] }),
        ),
      ),
    );

    const created = await fixture.api.create({
      issueId: "CLAUDE-1",
      title: "Friendlier greetings",
      description: "Say hello properly and goodbye too.",
      repository,
    });
    expect(created.status).toBe(201);
    expect(created.body.model).toBe("claude-sonnet-5-5");
    const id = created.body.id;

    // The plan the fake returned is the plan the person is shown.
    const blocked = await fixture.api.waitForStatus(id, "blocked");
    expect(blocked).toMatchObject({ gate: "plan", plan: PLAN });
    const gate = ofType(await fixture.api.events(id), "approval_required")[0];
    expect(gate?.data.plan).toBe(PLAN);

    // What the architect sent: the key, the model, a cached system prompt, read-only tools.
    const [planning, planned] = fake.requestsOf("architect");
    expect(planning!.headers.authorization).toBe("Bearer test-key");
    expect(planning!.body).toMatchObject({ model: "claude-sonnet-5-5", stream: true });
    expect(planning!.body.system).toHaveLength(2);
    for (const block of planning!.body.system!) {
      expect(block.cache_control).toEqual({ type: "ephemeral" });
    }
    expect(planning!.body.system![1]!.text).toContain("src/greeting.ts");
    expect(planning!.body.tools!.map((tool) => tool.name)).toEqual([
      "list_files",
      "read_file",
      "search_files",
      "submit_plan",
    ]);
    expect(planning!.body.tools!.at(-1)).toMatchObject({ strict: true });
    expect(JSON.stringify(planning!.body.messages)).toContain(
      "Say hello properly and goodbye too.",
    );
    expect(toolResults(planned!)).toEqual([
      // The file's content, quoted as untrusted data.
      expect.objectContaining({
        content: quoteUntrusted("file", "export const greeting = 'hello';\n"),
      }),
    ]);

    expect((await fixture.api.approve(id)).status).toBe(200);
    const done = await fixture.api.waitForStatus(id, "completed");
    expect(done).toMatchObject({ stage: "done", iteration: { plan: 1, review: 2 } });
    expect(fake.pending("developer") + fake.pending("reviewer")).toBe(0);

    // The files of the real repository changed, on the branch, and nothing escaped it.
    const branch = "amelia/CLAUDE-1";
    expect(gitOutput(repository, "show", `${branch}:src/greeting.ts`)).toBe(
      "export const greeting = 'Hello, world';",
    );
    expect(gitOutput(repository, "show", `${branch}:src/farewell.ts`)).toContain(
      "export function farewell(): string",
    );
    expect(gitOutput(repository, "ls-tree", "-r", "--name-only", branch)).not.toContain(
      "obsolete.txt",
    );
    expect(gitOutput(repository, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(gitOutput(repository, "status", "--porcelain")).toBe("");
    expect(gitOutput(repository, "log", "--format=%s", `main..${branch}`).split("\n")).toEqual([
      "amelia(CLAUDE-1): developer round 2",
      "amelia(CLAUDE-1): developer round 1",
      "amelia(CLAUDE-1): developer round 1, work in progress",
    ]);
    const worktree = path.join(fixture.runtime.dataDir, "workspaces", id);
    expect(existsSync(path.join(worktree, "..", "escape.txt"))).toBe(false);
    expect(existsSync("/tmp/amelia-absolute.txt")).toBe(false);

    // The refusals went back to the model as errors it can act on.
    const [, editing, finishing] = fake.requestsOf("developer");
    const refusals = toolResults(finishing!).filter((result) => result.is_error);
    expect(refusals.map((r) => r.content)).toEqual([
      expect.stringMatching(/Refused path "\.\.\/escape\.txt": '\.\.' segments are not allowed/),
      expect.stringMatching(/Refused path "\/tmp\/amelia-absolute\.txt": absolute paths/),
    ]);
    expect(toolResults(editing!).map((r) => r.content)[1]).toContain("src/greeting.ts:1:");

    const events = await fixture.api.events(id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    const changes = events
      .filter((e) => e.type.startsWith("file_"))
      .map((e) => `${e.type} ${(e.data as { path: string }).path}`);
    expect(changes).toEqual([
      "file_modified src/greeting.ts",
      "file_created src/farewell.ts",
      "file_deleted obsolete.txt",
      "file_modified src/farewell.ts",
    ]);
    // The turn budget: round 1 took two invocations, with the conversation carried over.
    const developerStarts = ofType(events, "stage_started").filter((e) => e.agent === "developer");
    expect(developerStarts.map((e) => e.data.round)).toEqual([1, 2]);
    expect(
      ofType(events, "agent_message").filter((e) => e.message.startsWith("Developer continues")),
    ).toHaveLength(1);
    expect(finishing!.body.messages.length).toBe(editing!.body.messages.length + 2);

    // A long streamed answer becomes a few messages, not hundreds of deltas.
    const streamed = ofType(events, "agent_message").filter((e) => e.message.includes("Line "));
    expect(streamed.length).toBeGreaterThan(1);
    expect(streamed.length).toBeLessThanOrEqual(4);
    expect(streamed.map((e) => e.message).join("\n")).toBe(LONG_NOTE);

    // The reviewer saw the real diff; its comments reached the developer's next round.
    const [firstReview] = fake.requestsOf("reviewer");
    const reviewed = JSON.stringify(firstReview!.body.messages);
    expect(reviewed).toContain("+export const greeting = 'Hello, world';");
    expect(reviewed).toContain("-remove me");
    const revision = fake.requestsOf("developer")[3]!;
    expect(JSON.stringify(revision.body.messages[0])).toContain(
      "src/farewell.ts: export a function, not a constant",
    );
    expect(ofType(events, "review_completed").map((e) => e.data.approved)).toEqual([false, true]);

    // Every call is accounted for, and the totals are exactly the fake's numbers.
    const answered = fake.requests.filter((r) => r.status === 200);
    expect(answered).toHaveLength(8);
    const usage = ofType(events, "token_usage");
    expect(usage).toHaveLength(answered.length);
    const sum = (pick: (u: Usage) => number) =>
      answered.reduce((total, r) => total + pick(r.usage!), 0);
    const expected = {
      inputTokens: sum((u) => u.input_tokens),
      outputTokens: sum((u) => u.output_tokens),
      cacheReadTokens: sum((u) => u.cache_read_input_tokens),
      cacheWriteTokens: sum((u) => u.cache_creation_input_tokens),
    };
    // claude-sonnet-5-5: $2 input, $10 output, $2.50 cache write, $0.20 cache read per MTok.
    const costUsd =
      (expected.inputTokens * 2 +
        expected.outputTokens * 10 +
        expected.cacheWriteTokens * 2.5 +
        expected.cacheReadTokens * 0.2) /
      1_000_000;
    expect(done.usage).toMatchObject(expected);
    expect(done.usage.costUsd).toBeCloseTo(costUsd, 9);

    const report = await fixture.api.request<UsageReport>("GET", "/api/usage?days=1");
    expect(report.status).toBe(200);
    expect(report.body.totals).toMatchObject({ ...expected, calls: answered.length });
    expect(report.body.totals.costUsd).toBeCloseTo(costUsd, 9);
    const prompt = expected.inputTokens + expected.cacheReadTokens + expected.cacheWriteTokens;
    expect(report.body.totals.cacheHitShare).toBeCloseTo(expected.cacheReadTokens / prompt, 4);
    expect(report.body.byModel.map((m) => [m.model, m.calls])).toEqual([["claude-sonnet-5-5", 8]]);
    expect(Object.fromEntries(report.body.byAgent.map((a) => [a.agent, a.calls]))).toEqual({
      architect: 2,
      developer: 4,
      reviewer: 2,
    });
    const developerInput = fake
      .requestsOf("developer")
      .reduce((total, r) => total + r.usage!.input_tokens, 0);
    expect(report.body.byAgent.find((a) => a.agent === "developer")?.inputTokens).toBe(
      developerInput,
    );
  });

  it("refuses a usage period that is not 1 to 365 whole days, naming the field", async () => {
    for (const days of ["0", "366", "1.5", "abc", "-3"]) {
      const response = await fixture.api.request<ApiError>("GET", `/api/usage?days=${days}`);
      expect(response.status, days).toBe(400);
      expect(response.body.code).toBe("VALIDATION_ERROR");
      expect(response.body.details).toEqual([expect.objectContaining({ field: "days" })]);
    }
    const unknown = await fixture.api.request<ApiError>("GET", "/api/usage?weeks=2");
    expect(unknown.status).toBe(400);
    const defaulted = await fixture.api.request<UsageReport>("GET", "/api/usage");
    expect(defaulted.body.days).toBe(30);
  });
});
