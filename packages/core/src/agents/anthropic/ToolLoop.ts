import type {
  ContentBlock,
  Message,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlock,
  Usage,
} from "@anthropic-ai/sdk/resources/messages";
import type * as z from "zod";
import type { TokenCounts } from "../../events/types";
import { costOf, worstCaseUsd, type ModelPrice } from "../../pricing";
import type { AgentContext } from "../AgentDriver";
import { PermanentAgentError } from "../errors";
import { MessageThrottle } from "../MessageThrottle";
import {
  asParams,
  systemBlocks,
  trimConversation,
  withConversationBreakpoint,
  type LoopState,
} from "./conversation";
import type { ModelClient, ModelRequest } from "./ModelClient";
import type { ToolOutcome } from "../AgentDriver";

/** What the loop needs of the client: one resilient model call. */
export type ModelCaller = Pick<ModelClient, "create">;

/** A token is about 4 bytes of English or code, as Anthropic's guidance estimates. */
const BYTES_PER_TOKEN = 4;

/** Serialised size above which the oldest tool results are elided (about 100k tokens). */
const MAX_CONVERSATION_CHARS = 400_000;

export interface LoopSpec<T> {
  agent: "architect" | "developer" | "reviewer";
  model: string;
  price: ModelPrice;
  prompt: string;
  tools: Tool[];
  /** The tool whose call ends the loop; its input, validated, is the loop's result. */
  submit: { name: string; schema: z.ZodType<T> };
  runTool(name: string, input: unknown): Promise<ToolOutcome>;
  /** Model calls the loop may make in all (over every invocation that continues it). */
  maxTurns: number;
  /** Calls this invocation may make before it pauses (the developer's turn budget). */
  pauseAfter?: { turns: number; deadline: number };
  /** Called after every turn with the state so far (the developer saves it). */
  afterTurn?(state: LoopState): Promise<void>;
}

export type LoopResult<T> =
  | { status: "submitted"; value: T }
  | { status: "paused" }
  /** The next call could pass the workflow's budget: stopped before it, the state saved. */
  | { status: "over_budget"; nextCallUsd: number };

/**
 * An agent's conversation with the model: call, run the tools it asks for, send the results,
 * until it calls its submit tool. The current models refuse forced tool choice, so the submit
 * tool is offered like the others and the prompt requires it: an answer without a tool call, or
 * a submission that fails its schema, is a malformed answer, corrected once and then a failure.
 */
export class ToolLoop {
  constructor(
    private readonly client: ModelCaller,
    private readonly ctx: AgentContext,
    private readonly maxTokens: number,
  ) {}

  async run<T>(spec: LoopSpec<T>, state: LoopState): Promise<LoopResult<T>> {
    const started = state.turns;
    for (;;) {
      if (state.turns >= spec.maxTurns) {
        throw new PermanentAgentError(
          `The ${spec.agent} used all ${spec.maxTurns} of its turns without calling ${spec.submit.name}`,
        );
      }
      const pause = spec.pauseAfter;
      if (pause && (state.turns - started >= pause.turns || Date.now() >= pause.deadline)) {
        return { status: "paused" };
      }
      const request = this.request(spec, state);
      const nextCallUsd = this.worstCase(spec, request);
      const remaining = this.ctx.remainingBudgetUsd?.();
      if (remaining !== undefined && nextCallUsd > remaining) {
        return { status: "over_budget", nextCallUsd };
      }
      const message = await this.call(spec, state, request);
      state.turns += 1;
      const outcome = await this.handle(spec, state, message);
      if (outcome.status === "submitted") return outcome;
      await spec.afterTurn?.(state);
    }
  }

  /** The next call's request, over the conversation trimmed to fit. */
  private request<T>(spec: LoopSpec<T>, state: LoopState): ModelRequest {
    state.messages = trimConversation(state.messages, MAX_CONVERSATION_CHARS);
    return {
      model: spec.model,
      system: systemBlocks(spec.prompt, state.context),
      tools: spec.tools,
      messages: withConversationBreakpoint(state.messages),
    };
  }

  /** The most the call can cost: its input estimated at 4 bytes a token, and all its output. */
  private worstCase<T>(spec: LoopSpec<T>, request: ModelRequest): number {
    const inputTokens = Math.ceil(Buffer.byteLength(JSON.stringify(request)) / BYTES_PER_TOKEN);
    return worstCaseUsd(spec.price, inputTokens, this.maxTokens);
  }

  private async call<T>(
    spec: LoopSpec<T>,
    state: LoopState,
    request: ModelRequest,
  ): Promise<Message> {
    const throttle = new MessageThrottle((text) =>
      this.ctx.say(text, { model: spec.model, turn: state.turns + 1 }),
    );
    const message = await this.client.create(request, (text) => throttle.push(text));
    await throttle.flush();
    const tokens = tokenCounts(message.usage);
    await this.ctx.reportUsage(spec.model, tokens, costOf(spec.price, tokens));
    return message;
  }

  /** Records the answer in the conversation and acts on it. */
  private async handle<T>(
    spec: LoopSpec<T>,
    state: LoopState,
    message: Message,
  ): Promise<{ status: "submitted"; value: T } | { status: "continue" }> {
    const stop = message.stop_reason;
    if (stop === "refusal") {
      throw new PermanentAgentError(`The ${spec.agent}'s model declined to continue (refusal)`);
    }
    if (stop === "model_context_window_exceeded") {
      throw new PermanentAgentError(`The ${spec.agent}'s conversation outgrew the model's context`);
    }
    const cutOff = stop === "max_tokens";
    state.truncations = cutOff ? state.truncations + 1 : 0;
    if (state.truncations >= 2) {
      throw new PermanentAgentError(
        `The ${spec.agent}'s answers were cut off at the ${this.maxTokens}-token output limit ` +
          "twice in a row (raise AMELIA_MAX_TOKENS)",
      );
    }
    const content = usableContent(message.content, cutOff);
    if (content.length > 0) state.messages.push({ role: "assistant", content: asParams(content) });
    const calls = content.filter((block): block is ToolUseBlock => block.type === "tool_use");
    const notes: TextBlockParam[] = [];
    if (cutOff) {
      notes.push(
        text(
          `Your answer was cut off at the output limit of ${this.maxTokens} tokens. ` +
            "Continue with smaller steps: split large files and edits over several tool calls.",
        ),
      );
    }

    if (calls.length === 0) {
      if (!cutOff) {
        this.malformed(spec, state, "it ended its turn without calling a tool");
        notes.push(
          text(`You ended your turn without calling a tool. Call ${spec.submit.name} to finish.`),
        );
      }
      this.pushUser(state, [], notes, spec);
      return { status: "continue" };
    }

    // Every other call runs, even beside a submission: "edit, then finish" in one answer.
    const results: ToolResultBlockParam[] = [];
    let submission: { value: T } | { invalid: string } | undefined;
    for (const call of calls) {
      if (call.name !== spec.submit.name) {
        results.push(toolResult(call.id, await spec.runTool(call.name, call.input)));
        continue;
      }
      const parsed = spec.submit.schema.safeParse(call.input);
      if (parsed.success) {
        submission = { value: parsed.data };
        continue;
      }
      const invalid = parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`)
        .join("; ");
      submission = { invalid };
      results.push(
        toolResult(call.id, {
          content: `Invalid ${spec.submit.name} input: ${invalid}. Call ${spec.submit.name} again with valid input.`,
          isError: true,
        }),
      );
    }
    if (submission && "value" in submission)
      return { status: "submitted", value: submission.value };
    if (submission) {
      this.malformed(
        spec,
        state,
        `its ${spec.submit.name} input was invalid (${submission.invalid})`,
      );
    } else {
      state.corrections = 0;
    }
    this.pushUser(state, results, notes, spec);
    return { status: "continue" };
  }

  /** One malformed answer is corrected; a second one in a row fails the stage. */
  private malformed<T>(spec: LoopSpec<T>, state: LoopState, problem: string): void {
    if (state.corrections >= 1) {
      throw new PermanentAgentError(
        `The ${spec.agent}'s answer was malformed again after a correction: ${problem}`,
      );
    }
    state.corrections += 1;
  }

  private pushUser<T>(
    state: LoopState,
    results: ToolResultBlockParam[],
    notes: TextBlockParam[],
    spec: LoopSpec<T>,
  ): void {
    if (spec.maxTurns - state.turns === 1) {
      notes.push(text(`This is your last turn: call ${spec.submit.name} now.`));
    }
    state.messages.push({ role: "user", content: [...results, ...notes] });
  }
}

/**
 * The blocks of an answer that can be acted on and sent back. An answer cut off by max_tokens
 * may end in a tool call whose input was still being written: that one is dropped, never run.
 */
function usableContent(content: ContentBlock[], cutOff: boolean): ContentBlock[] {
  if (cutOff && content.at(-1)?.type === "tool_use") return content.slice(0, -1);
  return content;
}

function tokenCounts(usage: Usage): TokenCounts {
  return {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
}

function toolResult(id: string, outcome: ToolOutcome): ToolResultBlockParam {
  return {
    type: "tool_result",
    tool_use_id: id,
    content: outcome.content,
    ...(outcome.isError && { is_error: true }),
  };
}

function text(value: string): TextBlockParam {
  return { type: "text", text: value };
}
