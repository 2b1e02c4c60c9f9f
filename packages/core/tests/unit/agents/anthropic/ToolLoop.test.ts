import type { Message, MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { newLoopState } from "../../../../src/agents/anthropic/conversation";
import type { ModelRequest } from "../../../../src/agents/anthropic/ModelClient";
import {
  ToolLoop,
  type LoopSpec,
  type ModelCaller,
} from "../../../../src/agents/anthropic/ToolLoop";
import type { AgentContext } from "../../../../src/agents/AgentDriver";
import { PermanentAgentError } from "../../../../src/agents/errors";
import type { TokenCounts } from "../../../../src/events/types";

type Block = Message["content"][number];
let ids = 0;
const textBlock = (text: string): Block => ({ type: "text", text, citations: null });
const call = (name: string, input: unknown): Block =>
  ({ type: "tool_use", id: `t${++ids}`, name, input }) as Block;

function answer(content: Block[], stop: Message["stop_reason"] = "tool_use"): Message {
  return {
    id: "m",
    type: "message",
    role: "assistant",
    model: "claude-test",
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      input_tokens: 10,
      output_tokens: 20,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 40,
    },
  } as Message;
}

/** A model that answers from a script, and keeps what it was sent. */
function scripted(...answers: Message[]) {
  const requests: ModelRequest[] = [];
  const model: ModelCaller = {
    async create(request, onText) {
      requests.push(structuredClone(request));
      const next = answers.shift();
      if (!next) throw new Error("the script ran out");
      for (const block of next.content) if (block.type === "text") onText(block.text);
      return next;
    },
  };
  return { model, requests };
}

function context() {
  const said: string[] = [];
  const usage: { model: string; tokens: TokenCounts; costUsd: number }[] = [];
  const ctx: AgentContext = {
    say: async (message) => {
      said.push(message);
    },
    reportUsage: async (model, tokens, costUsd) => {
      usage.push({ model, tokens, costUsd });
    },
  };
  return { ctx, said, usage };
}

const ran: string[] = [];
function spec(overrides: Partial<LoopSpec<{ plan: string }>> = {}): LoopSpec<{ plan: string }> {
  return {
    agent: "architect",
    model: "claude-test",
    price: { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 },
    prompt: "You plan.",
    tools: [],
    submit: { name: "submit_plan", schema: z.object({ plan: z.string().min(1) }) },
    runTool: async (name) => {
      ran.push(name);
      return { content: `${name} ran`, isError: false };
    },
    maxTurns: 5,
    ...overrides,
  };
}

const state = () => newLoopState("# Repository", "Plan the issue.");
const lastMessage = (request: ModelRequest | undefined): MessageParam | undefined =>
  request?.messages.at(-1);

describe("the tool loop", () => {
  it("runs the tools asked for, then returns the validated submission", async () => {
    ran.length = 0;
    const { model, requests } = scripted(
      answer([textBlock("Looking."), call("read_file", { path: "a" })]),
      answer([call("list_files", {}), call("submit_plan", { plan: "# Plan" })]),
    );
    const { ctx, said, usage } = context();
    const result = await new ToolLoop(model, ctx, 1000).run(spec(), state());
    expect(result).toEqual({ status: "submitted", value: { plan: "# Plan" } });
    // A tool beside the submission still runs.
    expect(ran).toEqual(["read_file", "list_files"]);
    expect(said).toEqual(["Looking."]);
    expect(usage).toHaveLength(2);
    // 10 + 20 + 30 + 40 tokens at $1 per million each.
    expect(usage[0]).toMatchObject({
      model: "claude-test",
      tokens: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 40 },
      costUsd: 0.0001,
    });
    // The second request carried the tool result, behind a moving cache breakpoint.
    expect(lastMessage(requests[1])).toMatchObject({
      role: "user",
      content: [
        { type: "tool_result", content: "read_file ran", cache_control: { type: "ephemeral" } },
      ],
    });
    expect(requests[1]!.system.every((block) => block.cache_control)).toBe(true);
  });

  it("pauses after its budget, and a later run carries on from the saved state", async () => {
    const { model, requests } = scripted(
      answer([call("read_file", { path: "a" })]),
      answer([call("read_file", { path: "b" })]),
      answer([call("submit_plan", { plan: "done" })]),
    );
    const saved: number[] = [];
    const budgeted = spec({
      pauseAfter: { turns: 2, deadline: Number.MAX_SAFE_INTEGER },
      afterTurn: async (current) => {
        saved.push(current.turns);
      },
    });
    const progress = state();
    const loop = new ToolLoop(model, context().ctx, 1000);
    expect(await loop.run(budgeted, progress)).toEqual({ status: "paused" });
    expect(saved).toEqual([1, 2]);
    expect(await loop.run(budgeted, progress)).toEqual({
      status: "submitted",
      value: { plan: "done" },
    });
    expect(requests[2]!.messages).toHaveLength(5);
  });

  it("pauses at its deadline even with turns left", async () => {
    const { model } = scripted();
    const result = await new ToolLoop(model, context().ctx, 1000).run(
      spec({ pauseAfter: { turns: 10, deadline: Date.now() - 1 } }),
      state(),
    );
    expect(result).toEqual({ status: "paused" });
  });

  it("warns on the last turn, then fails when the turns run out", async () => {
    const { model, requests } = scripted(
      answer([call("read_file", { path: "a" })]),
      answer([call("read_file", { path: "b" })]),
    );
    const run = new ToolLoop(model, context().ctx, 1000).run(spec({ maxTurns: 2 }), state());
    await expect(run).rejects.toThrow(
      new PermanentAgentError("The architect used all 2 of its turns without calling submit_plan"),
    );
    expect(JSON.stringify(lastMessage(requests[1]))).toContain(
      "This is your last turn: call submit_plan now.",
    );
  });

  it("fails clearly on a refusal and on two cut-off answers in a row", async () => {
    const refusal = scripted(answer([textBlock("No.")], "refusal"));
    await expect(
      new ToolLoop(refusal.model, context().ctx, 1000).run(spec(), state()),
    ).rejects.toThrow("The architect's model declined to continue (refusal)");

    const cut = scripted(
      answer([textBlock("Long")], "max_tokens"),
      answer([textBlock("Longer")], "max_tokens"),
    );
    const failure = new ToolLoop(cut.model, context().ctx, 1000).run(spec(), state());
    await expect(failure).rejects.toBeInstanceOf(PermanentAgentError);
    await expect(failure).rejects.toThrow(/cut off at the 1000-token output limit twice in a row/);
  });
});
