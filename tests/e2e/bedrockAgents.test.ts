import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { UsageReport } from "../../packages/core/src/usage/usageReport";
import { throttled, type BedrockRequest } from "../support/fakeBedrock";
import { reply, text, toolUse, type MessageReply, type Usage } from "../support/fakeMessages";
import { commitAll, createGitRepository, gitOutput } from "../support/git";
import { BEDROCK_TEST_IDENTITY, useBedrockRuntime } from "../support/runtime";
import { ofType } from "../support/workflows";

const ARCHITECT_MODEL = "global.anthropic.claude-opus-5-5";
const MODEL = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0";

const { fake, fixture } = await useBedrockRuntime({
  AMELIA_BEDROCK_MODEL: MODEL,
  AMELIA_BEDROCK_ARCHITECT_MODEL: ARCHITECT_MODEL,
  AMELIA_LLM_RETRY_BASE_MS: "5",
  AMELIA_LLM_RETRY_MAX_MS: "20",
  // Read only if the agents went to Anthropic's API, which no fake answers here.
  ANTHROPIC_API_KEY: "sk-ant-not-for-bedrock",
});

/** Distinct numbers per call and per field, so a sum that mixes fields up cannot match. */
let calls = 0;
function billed(message: MessageReply): MessageReply {
  calls += 1;
  const usage: Usage = {
    input_tokens: 700 + calls,
    output_tokens: 250 + 13 * calls,
    cache_read_input_tokens: 4_000 * calls,
    cache_creation_input_tokens: 1_500 + 17 * calls,
  };
  return { ...message, usage };
}

/** USD per million tokens: Anthropic's list prices of the models the Bedrock ids name. */
const PRICES: Record<string, Record<keyof Usage, number>> = {
  // claude-opus-5-5
  [ARCHITECT_MODEL]: {
    input_tokens: 4,
    output_tokens: 20,
    cache_creation_input_tokens: 5,
    cache_read_input_tokens: 0.2,
  },
  // claude-sonnet-4-5
  [MODEL]: {
    input_tokens: 3,
    output_tokens: 15,
    cache_creation_input_tokens: 3.75,
    cache_read_input_tokens: 0.3,
  },
};

/** A long streamed answer: the fake sends it in 16-character deltas, each its own frame. */
const NOTES = Array.from({ length: 30 }, (_, i) => `Note ${i + 1}: the greeting.`).join("\n");

async function repositoryWithCode(): Promise<string> {
  const root = await createGitRepository();
  await mkdir(path.join(root, "src"));
  await writeFile(path.join(root, "src/greeting.ts"), "export const greeting = 'hello';\n");
  commitAll(root, "Code");
  return root;
}

describe("Claude agents on Amazon Bedrock, against the fake Bedrock Runtime", () => {
  it("run a workflow with streaming, retry throttling, and account every token at Bedrock's prices", async () => {
    const repository = await repositoryWithCode();
    fake.script(
      "architect",
      throttled(),
      billed(reply(text("Reading first."), toolUse("read_file", { path: "src/greeting.ts" }))),
      billed(reply(toolUse("submit_plan", { plan: "# Plan\n\n1. Capitalise the greeting." }))),
    );
    fake.script(
      "developer",
      throttled({ inStream: true }),
      billed(
        reply(
          text(NOTES),
          toolUse("edit_file", {
            path: "src/greeting.ts",
            old_text: "'hello'",
            new_text: "'Hello'",
          }),
        ),
      ),
      billed(reply(toolUse("finish", { summary: "Capitalised the greeting." }))),
    );
    fake.script(
      "reviewer",
      billed(reply(toolUse("submit_review", { approved: true, severity: "none", comments: [] }))),
    );

    const created = await fixture.api.create({
      issueId: "BEDROCK-1",
      title: "Capitalise the greeting",
      description: "Say Hello.",
      repository,
    });
    expect(created.status).toBe(201);
    expect(created.body.model).toBe(
      `architect:${ARCHITECT_MODEL} developer:${MODEL} reviewer:${MODEL}`,
    );
    const id = created.body.id;
    expect(await fixture.api.waitForStatus(id, "blocked")).toMatchObject({
      gate: "plan",
      plan: "# Plan\n\n1. Capitalise the greeting.",
    });
    expect((await fixture.api.approve(id)).status).toBe(200);
    const done = await fixture.api.waitForStatus(id, "completed");
    expect(gitOutput(repository, "show", "amelia/BEDROCK-1:src/greeting.ts")).toBe(
      "export const greeting = 'Hello';",
    );

    // Every call went to Bedrock as AWS expects it: streamed, to the agent's model, signed with
    // the person's keys for bedrock in their region (not the emulators' us-east-1).
    const modelOf = { architect: ARCHITECT_MODEL, developer: MODEL, reviewer: MODEL };
    expect(fake.requests).toHaveLength(7);
    for (const request of fake.requests) {
      const model = modelOf[request.agent as keyof typeof modelOf];
      expect(request).toMatchObject({
        path: `/model/${model}/invoke-with-response-stream`,
        modelId: model,
        streaming: true,
        signedAs: {
          accessKeyId: BEDROCK_TEST_IDENTITY.credentials.accessKeyId,
          region: BEDROCK_TEST_IDENTITY.region,
          service: "bedrock",
        },
      });
      expect(request.headers["x-amz-security-token"]).toBe(
        BEDROCK_TEST_IDENTITY.credentials.sessionToken,
      );
      expect(request.body).not.toHaveProperty("model");
      expect(request.body.system!.map((block) => block.cache_control)).toEqual([
        { type: "ephemeral" },
        { type: "ephemeral" },
      ]);
    }

    // The throttled calls were retried by the client: no stage failed or was tried again.
    const statuses = (agent: BedrockRequest["agent"]) =>
      fake.requestsOf(agent).map((request) => request.status);
    expect(statuses("architect")).toEqual([429, 200, 200]);
    expect(statuses("developer")).toEqual([429, 200, 200]);
    expect(statuses("reviewer")).toEqual([200]);
    const events = await fixture.api.events(id);
    expect(ofType(events, "system_error")).toHaveLength(0);

    // The developer's streamed notes arrived as text, in a few messages.
    const notes = ofType(events, "agent_message").filter((e) => e.message.includes("Note "));
    expect(notes.length).toBeGreaterThanOrEqual(1);
    expect(notes.map((e) => e.message).join("\n")).toBe(NOTES);

    // Usage and cost are exactly the fake's numbers at the models' prices.
    const answered = fake.requests.filter((request) => request.status === 200);
    const sum = (field: keyof Usage) => answered.reduce((total, r) => total + r.usage![field], 0);
    const expected = {
      inputTokens: sum("input_tokens"),
      outputTokens: sum("output_tokens"),
      cacheReadTokens: sum("cache_read_input_tokens"),
      cacheWriteTokens: sum("cache_creation_input_tokens"),
    };
    const costUsd = answered.reduce((total, request) => {
      const price = PRICES[request.modelId]!;
      const fields = Object.keys(price) as (keyof Usage)[];
      return total + fields.reduce((cost, f) => cost + request.usage![f] * price[f], 0) / 1e6;
    }, 0);
    expect(done.usage).toMatchObject(expected);
    expect(done.usage.costUsd).toBeCloseTo(costUsd, 9);
    const usage = ofType(events, "token_usage");
    expect(usage.map((e) => e.data.model)).toEqual(answered.map((r) => r.modelId));

    const report = await fixture.api.request<UsageReport>("GET", "/api/usage?days=1");
    expect(report.body.totals).toMatchObject({ ...expected, calls: answered.length });
    expect(report.body.totals.costUsd).toBeCloseTo(costUsd, 9);
    expect(Object.fromEntries(report.body.byModel.map((m) => [m.model, m.calls]))).toEqual({
      [ARCHITECT_MODEL]: 2,
      [MODEL]: 3,
    });
  });

  it("names the model in the health check, and no demo", async () => {
    const health = await fixture.api.request<{ checks: { model: unknown } }>("GET", "/api/health");
    expect(health.body.checks.model).toEqual({
      name: `architect:${ARCHITECT_MODEL} developer:${MODEL} reviewer:${MODEL}`,
      demo: false,
    });
  });
});
