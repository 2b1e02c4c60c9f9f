import { describe, expect, it } from "vitest";
import { costOf, DEFAULT_PRICES, priceOf, roundUsd } from "../../packages/core/src/pricing";
import { DEFAULT_AGENT_MODEL } from "../../packages/core/src/agents/agentSettings";
import { oneTo, sequencesOf, type ApiError } from "../support/api";
import { reply, toolUse, type MessageReply, type Usage } from "../support/fakeAnthropic";
import { useClaudeRuntime } from "../support/runtime";
import { ofType } from "../support/workflows";

// 1,000 output tokens at most: a call's worst case is about a cent of output, plus its input.
const { fake, fixture } = await useClaudeRuntime({ AMELIA_MAX_TOKENS: "1000" });
const PRICE = priceOf(DEFAULT_PRICES, DEFAULT_AGENT_MODEL)!;

/** Every call bills 10,000 input and 500 output tokens: $0.025 at the default model's price. */
const USAGE: Usage = {
  input_tokens: 10_000,
  output_tokens: 500,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};
const billed = (message: MessageReply): MessageReply => ({ ...message, usage: USAGE });

describe("a workflow's budget", () => {
  it("stops the developer at the budget gate mid-round; raised, it continues from its saved conversation", async () => {
    fake.reset();
    fake.script(
      "architect",
      billed(reply(toolUse("submit_plan", { plan: "# Plan\n\n1. Write notes." }))),
    );
    fake.script(
      "developer",
      billed(reply(toolUse("create_file", { path: "NOTES.md", content: "Notes\n" }))),
      billed(reply(toolUse("finish", { summary: "Wrote the notes." }))),
    );
    fake.script(
      "reviewer",
      billed(reply(toolUse("submit_review", { approved: true, severity: "none", comments: [] }))),
    );

    // $0.06: the architect's call and the developer's first fit; the developer's second could not.
    const created = await fixture.api.create({ issueId: "BUDGET-1", budgetUsd: 0.06 });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    await fixture.api.waitFor(id, (w) => w.status === "blocked" && w.gate === "plan");
    expect((await fixture.api.approve(id)).status).toBe(200);
    const stopped = await fixture.api.waitFor(
      id,
      (w) => w.status === "blocked" && w.gate === "budget",
    );
    expect(stopped).toMatchObject({
      stage: "developer",
      budgetUsd: 0.06,
      usage: { costUsd: 0.05 },
    });
    const gate = ofType(await fixture.api.events(id), "approval_required").at(-1);
    expect(gate?.data).toEqual({ gate: "budget", spentUsd: 0.05, budgetUsd: 0.06 });
    expect(fake.requestsOf("developer")).toHaveLength(1);
    // The budget gate takes more budget, not a decision.
    expect((await fixture.api.approve(id)).status).toBe(422);

    const raised = await fixture.api.request("POST", `/api/workflows/${id}/budget`, {
      budgetUsd: 1,
    });
    expect(raised.status).toBe(200);
    const completed = await fixture.api.waitForStatus(id, "completed");
    expect(completed.budgetUsd).toBe(1);

    const events = await fixture.api.events(id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    // Nothing was done twice: one write, one round, two developer calls in all, the second
    // answering the first's tool call.
    expect(ofType(events, "file_created").map((e) => e.data.path)).toEqual(["NOTES.md"]);
    expect(
      ofType(events, "stage_started").filter((e) => e.data.stage === "developer"),
    ).toHaveLength(1);
    const developerCalls = fake.requestsOf("developer");
    expect(developerCalls).toHaveLength(2);
    expect(JSON.stringify(developerCalls[1]!.body.messages)).toContain('"type":"tool_result"');
    expect(
      events.some(
        (e) =>
          e.type === "agent_message" &&
          e.message.includes("continues round 1 from its saved conversation"),
      ),
    ).toBe(true);
    expect(ofType(events, "budget_raised")[0]?.data).toEqual({
      budgetUsd: 1,
      previousUsd: 0.06,
      by: { source: "api" },
    });
    // What the workflow spent is what the fake billed, at the model's price.
    const billedUsd = fake.requests.reduce(
      (sum, request) =>
        sum +
        costOf(PRICE, {
          inputTokens: request.usage!.input_tokens,
          outputTokens: request.usage!.output_tokens,
          cacheReadTokens: request.usage!.cache_read_input_tokens,
          cacheWriteTokens: request.usage!.cache_creation_input_tokens,
        }),
      0,
    );
    expect(fake.requests).toHaveLength(4);
    expect(completed.usage.costUsd).toBe(roundUsd(billedUsd));
  });

  it("stops before the first call when even that could pass it; a cancel there ends the workflow", async () => {
    fake.reset();
    const created = await fixture.api.create({ issueId: "BUDGET-2", budgetUsd: 0.001 });
    const id = (created.body as { id: string }).id;
    const stopped = await fixture.api.waitFor(
      id,
      (w) => w.status === "blocked" && w.gate === "budget",
    );
    expect(stopped).toMatchObject({ stage: "architect", usage: { costUsd: 0 } });
    expect(fake.requests).toHaveLength(0);
    expect((await fixture.api.cancel(id)).status).toBe(200);
    expect((await fixture.api.get(id)).body).toMatchObject({ status: "cancelled" });
  });

  it("refuses a budget that is not a positive amount, or an absurd one, naming budgetUsd", async () => {
    for (const budgetUsd of [-1, 0, 1_000_000, "5"]) {
      const refused = await fixture.api.create({ issueId: "BUDGET-3", budgetUsd });
      expect(refused.status, String(budgetUsd)).toBe(400);
      expect((refused.body as ApiError).details).toMatchObject([{ field: "budgetUsd" }]);
    }
  });
});
