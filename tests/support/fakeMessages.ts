import { createHash } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/**
 * What the fakes of Anthropic's Messages API (fakeAnthropic.ts) and of Amazon Bedrock's runtime
 * (fakeBedrock.ts) share, both being Claude behind another door: the replies tests script per
 * agent (told apart by the submit tool the request offers), holds, the requests recorded, usage
 * (fixed, or simulated with a prompt cache), and the message a reply becomes, whole or as the
 * events of its stream.
 */

export type Agent = "architect" | "developer" | "reviewer" | "unknown";

export type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: "thinking"; thinking: string; signature: string };

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface MessageReply {
  content: Block[];
  /** Defaults to tool_use when the content has a tool call, else end_turn. */
  stop_reason?: "end_turn" | "tool_use" | "max_tokens" | "refusal";
  /** Defaults to the server's fixed usage, or the simulated one (see FakeOptions). */
  usage?: Partial<Usage>;
}

export interface ErrorReply {
  status: number;
  /** Anthropic's error type (`overloaded_error`), or AWS's exception name (`ThrottlingException`). */
  type: string;
  message: string;
  /** Sent as the `retry-after` header (seconds). */
  retryAfter?: number;
  /**
   * To a streamed request: the stream starts (HTTP 200) and then fails with this error, as an
   * SSE `error` event or an event-stream exception frame. A whole-message request gets the status.
   */
  inStream?: true;
}

/** The request body of the Messages API; Bedrock's has no `model` or `stream` but a version. */
export interface MessagesBody {
  model?: string;
  anthropic_version?: string;
  max_tokens: number;
  stream?: boolean;
  system?: { type: "text"; text: string; cache_control?: unknown }[];
  tools?: { name: string; cache_control?: unknown; [key: string]: unknown }[];
  messages: { role: string; content: string | Record<string, unknown>[] }[];
}

export interface RecordedRequest {
  agent: Agent;
  body: MessagesBody;
  headers: IncomingHttpHeaders;
  /** What the fake answered: the usage it reported, or the error status. */
  usage?: Usage;
  status: number;
  /** Time the fake spent on the request, its artificial latency included. */
  handlingMs: number;
}

export type Reply<R extends RecordedRequest = RecordedRequest> =
  MessageReply | ErrorReply | ((request: R) => MessageReply | ErrorReply);

export interface FakeOptions {
  /** Waits this long before answering, like a model thinking. */
  latencyMs?: number;
  /**
   * Computes usage from the request instead of a fixed default: about a token per 4 characters,
   * and a simulated prompt cache keyed by the prefix before each `cache_control` breakpoint.
   */
  simulateUsage?: boolean;
  /** Output tokens of every reply that does not give its own. */
  outputTokens?: number;
}

/** Usage of a reply that gives none, when usage is not simulated. */
export const FIXED_USAGE: Usage = {
  input_tokens: 1_000,
  output_tokens: 200,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

/** An answer as the Messages API gives it. */
export interface FakeMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: Block[];
  stop_reason: string;
  stop_sequence: null;
  usage: Usage;
}

/** One event of a streamed answer: `type` names it, the rest is its data. */
export type StreamEvent = { type: string } & Record<string, unknown>;

interface Hold<R> {
  agent: Agent;
  matching: (request: R) => boolean;
  arrived: () => void;
  released: Promise<void>;
}

const SUBMIT_TOOLS: Record<string, Agent> = {
  submit_plan: "architect",
  finish: "developer",
  submit_review: "reviewer",
};
/** Below this many tokens a prefix is not cached (the API's minimum for the current Sonnet). */
const MIN_CACHEABLE_TOKENS = 512;

let toolIds = 0;

export const text = (value: string): Block => ({ type: "text", text: value });
export const toolUse = (name: string, input: unknown): Block => ({
  type: "tool_use",
  id: `toolu_fake_${++toolIds}`,
  name,
  input,
});
export const reply = (...content: Block[]): MessageReply => ({ content });
export const apiError = (status: number, type: string, message: string, retryAfter?: number) =>
  ({ status, type, message, ...(retryAfter !== undefined && { retryAfter }) }) as ErrorReply;
export const overloaded = (retryAfter?: number) =>
  apiError(529, "overloaded_error", "Overloaded", retryAfter);

/**
 * A server that reads each request's body and hands it to `answer`, which records the request it
 * answers (or undefined for one it refused before recording); the time taken goes on the record.
 */
export async function listen(
  answer: (
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ) => Promise<RecordedRequest | undefined>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const started = performance.now();
      answer(request, Buffer.concat(chunks), response)
        .then((recorded) => {
          if (recorded) recorded.handlingMs = performance.now() - started;
        })
        .catch((error: unknown) => {
          response.destroy(error instanceof Error ? error : new Error(String(error)));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Scripted replies per agent, holds, and the record of every request, for a fake model API. */
export abstract class ScriptedModelApi<R extends RecordedRequest> {
  readonly requests: R[] = [];
  private readonly queues = new Map<Agent, Reply<R>[]>();
  private readonly fallbacks = new Map<Agent, Reply<R>>();
  private readonly holds: Hold<R>[] = [];
  private readonly cache = new Set<string>();

  protected constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeOptions,
  ) {}

  /** Queues replies for an agent's next calls, in order. */
  script(agent: Agent, ...replies: Reply<R>[]): void {
    this.queues.set(agent, [...(this.queues.get(agent) ?? []), ...replies]);
  }

  /** What an agent gets once its queue is empty (by default: a 400 naming the missing script). */
  otherwise(agent: Agent, reply: Reply<R>): void {
    this.fallbacks.set(agent, reply);
  }

  /**
   * Keeps the agent's next call (the next one `matching` accepts, if given) waiting at the fake
   * until `release()`; `reached` resolves when the call arrives, so a test can act while the
   * agent is known to be in the middle of it. Several holds may wait for their calls at once.
   */
  hold(
    agent: Agent,
    matching: (request: R) => boolean = () => true,
  ): { reached: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ agent, matching, arrived, released });
    return { reached, release };
  }

  /** Drops every queued reply, fallback and hold, and forgets the requests. */
  reset(): void {
    this.queues.clear();
    this.fallbacks.clear();
    this.holds.length = 0;
    this.requests.length = 0;
  }

  requestsOf(agent: Agent): R[] {
    return this.requests.filter((request) => request.agent === agent);
  }

  /** Replies still queued for an agent (a test can check its script was used up). */
  pending(agent: Agent): number {
    return this.queues.get(agent)?.length ?? 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Records a request that reached the model, waits while a hold keeps it, and decides its
   * answer: the scripted error, or the scripted reply as the message `model` answers (its usage
   * recorded with it).
   */
  protected async decide(recorded: R, model: string): Promise<ErrorReply | FakeMessage> {
    this.requests.push(recorded);
    const hold = this.holds.find((h) => h.agent === recorded.agent && h.matching(recorded));
    if (hold) {
      this.holds.splice(this.holds.indexOf(hold), 1);
      hold.arrived();
      await hold.released;
    }
    const planned = this.queues.get(recorded.agent)?.shift() ?? this.fallbacks.get(recorded.agent);
    const answer =
      (typeof planned === "function" ? planned(recorded) : planned) ??
      apiError(
        400,
        "invalid_request_error",
        `The fake has no scripted reply for the ${recorded.agent}`,
      );
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    if ("status" in answer) {
      recorded.status = answer.status;
      return answer;
    }
    const usage = {
      ...(this.options.simulateUsage ? this.simulate(recorded.body, model) : FIXED_USAGE),
      ...(this.options.outputTokens !== undefined && { output_tokens: this.options.outputTokens }),
      ...answer.usage,
    };
    recorded.usage = usage;
    recorded.status = 200;
    return {
      id: `msg_fake_${this.requests.length}`,
      type: "message",
      role: "assistant",
      model,
      content: answer.content,
      stop_reason:
        answer.stop_reason ??
        (answer.content.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage,
    };
  }

  /**
   * Usage as the API would count it: the prompt is tools, then system, then messages; the prefix
   * up to a `cache_control` breakpoint is read from the cache when an earlier request wrote the
   * same prefix, else written to it.
   */
  private simulate(body: MessagesBody, model: string): Usage {
    type Part = { value: unknown; breakpoint: boolean };
    const part = (value: { cache_control?: unknown }): Part => ({
      value,
      breakpoint: !!value.cache_control,
    });
    const parts: Part[] = [
      ...(body.tools ?? []).map(part),
      ...(body.system ?? []).map(part),
      ...body.messages.flatMap((message): Part[] =>
        typeof message.content === "string"
          ? [{ value: message.content, breakpoint: false }]
          : message.content.map(part),
      ),
    ];
    const hash = createHash("sha256").update(model);
    let tokens = 0;
    let read = 0;
    let cachedUpTo = 0;
    for (const part of parts) {
      const json = JSON.stringify(part.value, (key, value: unknown) =>
        key === "cache_control" ? undefined : value,
      );
      hash.update(json);
      tokens += Math.ceil(json.length / 4);
      if (!part.breakpoint || tokens < MIN_CACHEABLE_TOKENS) continue;
      const key = hash.copy().digest("hex");
      if (this.cache.has(key)) read = tokens;
      else this.cache.add(key);
      cachedUpTo = tokens;
    }
    return {
      input_tokens: tokens - cachedUpTo,
      output_tokens: FIXED_USAGE.output_tokens,
      cache_read_input_tokens: read,
      cache_creation_input_tokens: cachedUpTo - read,
    };
  }
}

/** Which agent made a request, by the submit tool it offers. */
export function agentOf(body: MessagesBody): Agent {
  for (const tool of body.tools ?? []) {
    const agent = SUBMIT_TOOLS[tool.name];
    if (agent) return agent;
  }
  return "unknown";
}

/**
 * The message as the API streams it: message_start, each block in small deltas, message_delta,
 * message_stop. A reply cut off by max_tokens stops in the middle of its last block.
 */
export function messageEvents(message: FakeMessage): StreamEvent[] {
  const events: StreamEvent[] = [];
  const event = (type: string, data: Record<string, unknown>) => events.push({ type, ...data });
  const { content, usage, stop_reason, ...rest } = message;
  event("message_start", {
    message: { ...rest, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  content.forEach((block, index) => {
    const cutOff = stop_reason === "max_tokens" && index === content.length - 1;
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const piece of pieces(block.text, 16)) {
        event("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      }
    } else if (block.type === "tool_use") {
      event("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      });
      const json = JSON.stringify(block.input);
      const sent = cutOff ? json.slice(0, Math.floor(json.length / 2)) : json;
      for (const piece of pieces(sent, 24)) {
        event("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: piece },
        });
      }
    } else {
      event("content_block_start", {
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      event("content_block_delta", {
        index,
        delta: { type: "thinking_delta", thinking: block.thinking },
      });
      event("content_block_delta", {
        index,
        delta: { type: "signature_delta", signature: block.signature },
      });
    }
    if (!cutOff) event("content_block_stop", { index });
  });
  event("message_delta", {
    delta: { stop_reason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  event("message_stop", {});
  return events;
}

function pieces(value: string, size: number): string[] {
  const result: string[] = [];
  for (let at = 0; at < value.length; at += size) result.push(value.slice(at, at + size));
  return result.length > 0 ? result : [""];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
