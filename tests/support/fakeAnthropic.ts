import { createHash } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/**
 * A fake Anthropic Messages API: a real HTTP server speaking `POST /v1/messages`, plain JSON or
 * SSE streaming, with tool_use blocks, `usage` with cache fields, and scripted errors (429/529
 * with `retry-after`, 400s). Tests script the replies per agent (told apart by the submit tool
 * the request offers) and read back every request the agents made.
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
  type: string;
  message: string;
  /** Sent as the `retry-after` header (seconds). */
  retryAfter?: number;
}

export type Reply =
  MessageReply | ErrorReply | ((request: RecordedRequest) => MessageReply | ErrorReply);

export interface MessagesBody {
  model: string;
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

interface Hold {
  agent: Agent;
  matching: (request: RecordedRequest) => boolean;
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

export class FakeAnthropic {
  readonly requests: RecordedRequest[] = [];
  private readonly queues = new Map<Agent, Reply[]>();
  private readonly fallbacks = new Map<Agent, Reply>();
  private readonly holds: Hold[] = [];
  private readonly cache = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeOptions,
  ) {}

  static async start(options: FakeOptions = {}): Promise<FakeAnthropic> {
    let fake: FakeAnthropic | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const started = performance.now();
        fake!
          .answer(request.method, request.url, request.headers, Buffer.concat(chunks), response)
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
    fake = new FakeAnthropic(server, `http://127.0.0.1:${port}`, options);
    return fake;
  }

  /** Queues replies for an agent's next calls, in order. */
  script(agent: Agent, ...replies: Reply[]): void {
    this.queues.set(agent, [...(this.queues.get(agent) ?? []), ...replies]);
  }

  /** What an agent gets once its queue is empty (by default: a 400 naming the missing script). */
  otherwise(agent: Agent, reply: Reply): void {
    this.fallbacks.set(agent, reply);
  }

  /**
   * Keeps the agent's next call (the next one `matching` accepts, if given) waiting at the fake
   * until `release()`; `reached` resolves when the call arrives, so a test can act while the
   * agent is known to be in the middle of it. Several holds may wait for their calls at once.
   */
  hold(
    agent: Agent,
    matching: (request: RecordedRequest) => boolean = () => true,
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

  requestsOf(agent: Agent): RecordedRequest[] {
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

  private async answer(
    method: string | undefined,
    url: string | undefined,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    response: ServerResponse,
  ): Promise<RecordedRequest | undefined> {
    if (method !== "POST" || !url?.startsWith("/v1/messages")) {
      sendError(response, { status: 404, type: "not_found_error", message: `No route ${url}` });
      return undefined;
    }
    const body = JSON.parse(raw.toString("utf8")) as MessagesBody;
    const agent = agentOf(body);
    const recorded: RecordedRequest = { agent, body, headers, status: 0, handlingMs: 0 };
    this.requests.push(recorded);
    const hold = this.holds.find((h) => h.agent === agent && h.matching(recorded));
    if (hold) {
      this.holds.splice(this.holds.indexOf(hold), 1);
      hold.arrived();
      await hold.released;
    }
    const planned = this.queues.get(agent)?.shift() ?? this.fallbacks.get(agent);
    const answer =
      (typeof planned === "function" ? planned(recorded) : planned) ??
      apiError(400, "invalid_request_error", `The fake has no scripted reply for the ${agent}`);
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    if ("status" in answer) {
      recorded.status = answer.status;
      sendError(response, answer);
      return recorded;
    }
    const usage = {
      ...(this.options.simulateUsage ? this.simulate(body) : FIXED_USAGE),
      ...(this.options.outputTokens !== undefined && { output_tokens: this.options.outputTokens }),
      ...answer.usage,
    };
    recorded.usage = usage;
    recorded.status = 200;
    const message = {
      id: `msg_fake_${this.requests.length}`,
      type: "message",
      role: "assistant",
      model: body.model,
      content: answer.content,
      stop_reason:
        answer.stop_reason ??
        (answer.content.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage,
    };
    if (body.stream) streamMessage(response, message);
    else {
      response.writeHead(200, { "content-type": "application/json", "request-id": message.id });
      response.end(JSON.stringify(message));
    }
    return recorded;
  }

  /**
   * Usage as the API would count it: the prompt is tools, then system, then messages; the prefix
   * up to a `cache_control` breakpoint is read from the cache when an earlier request wrote the
   * same prefix, else written to it.
   */
  private simulate(body: MessagesBody): Usage {
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
    const hash = createHash("sha256").update(body.model);
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

function agentOf(body: MessagesBody): Agent {
  for (const tool of body.tools ?? []) {
    const agent = SUBMIT_TOOLS[tool.name];
    if (agent) return agent;
  }
  return "unknown";
}

function sendError(response: ServerResponse, error: ErrorReply): void {
  response.writeHead(error.status, {
    "content-type": "application/json",
    ...(error.retryAfter !== undefined && { "retry-after": String(error.retryAfter) }),
  });
  response.end(
    JSON.stringify({ type: "error", error: { type: error.type, message: error.message } }),
  );
}

/** The message as the API streams it: message_start, each block in small deltas, message_delta. */
function streamMessage(
  response: ServerResponse,
  message: { content: Block[]; stop_reason: string; usage: Usage } & Record<string, unknown>,
): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (type: string, data: Record<string, unknown>) =>
    response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  const { content, usage, stop_reason, ...rest } = message;
  send("message_start", {
    message: { ...rest, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  content.forEach((block, index) => {
    // A reply cut off by max_tokens stops in the middle of its last block.
    const cutOff = stop_reason === "max_tokens" && index === content.length - 1;
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const piece of pieces(block.text, 16)) {
        send("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      }
    } else if (block.type === "tool_use") {
      send("content_block_start", {
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
      });
      const json = JSON.stringify(block.input);
      const sent = cutOff ? json.slice(0, Math.floor(json.length / 2)) : json;
      for (const piece of pieces(sent, 24)) {
        send("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: piece },
        });
      }
    } else {
      send("content_block_start", {
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
      send("content_block_delta", {
        index,
        delta: { type: "thinking_delta", thinking: block.thinking },
      });
      send("content_block_delta", {
        index,
        delta: { type: "signature_delta", signature: block.signature },
      });
    }
    if (!cutOff) send("content_block_stop", { index });
  });
  send("message_delta", {
    delta: { stop_reason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  send("message_stop", {});
  response.end();
}

function pieces(value: string, size: number): string[] {
  const result: string[] = [];
  for (let at = 0; at < value.length; at += size) result.push(value.slice(at, at + size));
  return result.length > 0 ? result : [""];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
