import type {
  ContentBlock,
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";

/** A tool loop's progress: what an invocation saves so the next one continues it. */
export interface LoopState {
  /** The repository context of the system prompt, fixed for the whole loop (it is cached). */
  context: string;
  messages: MessageParam[];
  /** Model calls made so far. */
  turns: number;
  /** Malformed final answers in a row (an answer without a tool call, or an invalid submission). */
  corrections: number;
  /** Answers cut off by max_tokens in a row. */
  truncations: number;
}

export const loopStateSchema = z.object({
  context: z.string(),
  messages: z.array(
    z.object({
      role: z.enum(["user", "assistant"]),
      content: z.union([z.string(), z.array(z.any())]),
    }),
  ),
  turns: z.number().int().nonnegative(),
  corrections: z.number().int().nonnegative(),
  truncations: z.number().int().nonnegative(),
});

export function newLoopState(context: string, task: string): LoopState {
  return {
    context,
    messages: [{ role: "user", content: task }],
    turns: 0,
    corrections: 0,
    truncations: 0,
  };
}

const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * The system prompt as two blocks, each closing with a cache breakpoint: the agent's instructions
 * (the same for every workflow: tools + prompt are cached across workflows), then the repository
 * context (cached across the calls of one stage).
 */
export function systemBlocks(prompt: string, context: string): TextBlockParam[] {
  return [
    { type: "text", text: prompt, cache_control: EPHEMERAL },
    { type: "text", text: context, cache_control: EPHEMERAL },
  ];
}

/**
 * The messages to send, with a third breakpoint on the last block: each call of a tool loop then
 * reads the conversation so far from the cache and only pays full price for the new turn. The
 * stored conversation never carries breakpoints (the API allows four).
 */
export function withConversationBreakpoint(messages: MessageParam[]): MessageParam[] {
  const last = messages.at(-1);
  if (!last) return messages;
  const content: ContentBlockParam[] =
    typeof last.content === "string" ? [{ type: "text", text: last.content }] : [...last.content];
  const final = content.at(-1);
  if (!final || final.type === "thinking" || final.type === "redacted_thinking") return messages;
  content[content.length - 1] = { ...final, cache_control: EPHEMERAL } as ContentBlockParam;
  return [...messages.slice(0, -1), { ...last, content } as MessageParam];
}

/** A response's blocks as request blocks, to send the assistant turn back as it was. */
export function asParams(blocks: readonly ContentBlock[]): ContentBlockParam[] {
  return blocks.map((block) =>
    block.type === "text"
      ? { type: "text", text: block.text }
      : (block as unknown as ContentBlockParam),
  );
}

const ELIDED = "[Elided to keep the conversation short; run the tool again if you need this.]";
/** Results of the latest turns are never elided: the model is working with them. */
const KEPT_RECENT_MESSAGES = 6;

/**
 * Keeps a long conversation within `maxChars` (serialised) by replacing the oldest tool results
 * with a short note. Tool results are what grows (file contents, search results); the model can
 * fetch them again. Returns the same array when nothing had to go.
 */
export function trimConversation(messages: MessageParam[], maxChars: number): MessageParam[] {
  let size = JSON.stringify(messages).length;
  if (size <= maxChars) return messages;
  const trimmed = messages.map((message) => ({ ...message }));
  for (let index = 1; index < trimmed.length - KEPT_RECENT_MESSAGES && size > maxChars; index++) {
    const message = trimmed[index]!;
    if (message.role !== "user" || typeof message.content === "string") continue;
    message.content = message.content.map((block) => {
      if (block.type !== "tool_result" || size <= maxChars) return block;
      const before = JSON.stringify(block.content ?? "").length;
      if (before <= ELIDED.length * 2) return block;
      size -= before - JSON.stringify(ELIDED).length;
      return { ...block, content: ELIDED };
    });
  }
  return trimmed;
}
