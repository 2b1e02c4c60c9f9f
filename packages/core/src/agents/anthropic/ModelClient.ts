import { APIConnectionError, APIError } from "@anthropic-ai/sdk/core/error";
import type { Messages } from "@anthropic-ai/sdk/resources/messages/messages";
import type {
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages";
import { retryAfterMs, retryDelay } from "../../resilience/backoff";
import type { CircuitBreaker } from "../../resilience/CircuitBreaker";
import { ModelUnavailableError, PermanentAgentError } from "../errors";

export interface ModelRequest {
  model: string;
  system: TextBlockParam[];
  tools: Tool[];
  messages: MessageParam[];
}

export interface ModelClientOptions {
  maxTokens: number;
  /** Stream responses (text reaches `onText` as it is written), or wait for whole messages. */
  streaming: boolean;
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * HTTP statuses worth another try: the request was fine, the service was not. Bedrock answers
 * ThrottlingException and ModelNotReadyException with 429, ModelTimeoutException with 408,
 * InternalServerException and ServiceUnavailableException with 500 and 503.
 */
const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
/**
 * Error types of a failure reported inside a stream (which has no HTTP status): Anthropic's SSE
 * `error` events, and the exception frames of a Bedrock response stream, which the Bedrock SDK
 * turns into such events typed by the exception (`throttlingException`).
 */
const RETRYABLE_STREAM_ERRORS = new Set([
  "overloaded_error",
  "api_error",
  "rate_limit_error",
  "throttlingException",
  "internalServerException",
  "serviceUnavailableException",
  "modelStreamErrorException",
  "modelTimeoutException",
]);

interface ApiFailure {
  retryable: boolean;
  description: string;
  retryAfterMs?: number;
}

/**
 * One model call to the Messages API (Anthropic's, or Amazon Bedrock's through its SDK), made
 * resilient: retries with exponential backoff and jitter on 429/5xx/529 and network errors
 * (honouring `retry-after`), no retry on a refused request (4xx), and every attempt guarded by
 * the provider's circuit breaker, whose name the errors give. The SDK's own retries are off, so
 * each attempt is seen here and counted by the breaker.
 */
export class ModelClient {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly messages: Pick<Messages, "create" | "stream">,
    private readonly breaker: CircuitBreaker,
    private readonly options: ModelClientOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async create(request: ModelRequest, onText: (text: string) => void): Promise<Message> {
    for (let attempt = 0; ; attempt += 1) {
      this.breaker.beforeCall();
      let failure: ApiFailure | undefined;
      try {
        const message = await this.send(request, onText);
        this.breaker.recordSuccess();
        return message;
      } catch (error) {
        failure = classify(error);
        if (!failure) throw error;
      }
      if (!failure.retryable) {
        this.breaker.recordSuccess();
        throw new PermanentAgentError(
          `${this.breaker.provider} refused the request: ${failure.description}`,
        );
      }
      this.breaker.recordFailure(failure.description);
      if (attempt >= this.options.maxRetries) {
        throw new ModelUnavailableError(
          `${this.breaker.provider} failed ${attempt + 1} times in a row (last: ${failure.description}); ` +
            "resume the workflow once it is available again",
        );
      }
      await this.sleep(retryDelay(attempt, failure.retryAfterMs, this.options));
    }
  }

  private async send(request: ModelRequest, onText: (text: string) => void): Promise<Message> {
    const params: MessageCreateParamsNonStreaming = {
      model: request.model,
      max_tokens: this.options.maxTokens,
      system: request.system,
      tools: request.tools,
      messages: request.messages,
    };
    if (this.options.streaming) {
      const stream = this.messages.stream(params);
      stream.on("text", (delta) => onText(delta));
      return stream.finalMessage();
    }
    const message = await this.messages.create(params);
    for (const block of message.content) if (block.type === "text") onText(block.text);
    return message;
  }
}

/**
 * What went wrong with an API call, or undefined when the error is not the API's (a bug). An
 * AWS error names its type in `x-amzn-ErrorType` (`ThrottlingException:http://…`) and carries a
 * `{message}` body, where Anthropic's body says `{error: {type, message}}`.
 */
function classify(error: unknown): ApiFailure | undefined {
  if (error instanceof APIConnectionError) {
    // The Bedrock SDK reports credentials it could not resolve this way, the reason in the cause.
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return { retryable: true, description: `network error: ${error.message}${cause}` };
  }
  if (!(error instanceof APIError)) return undefined;
  const type = error.type ?? error.headers?.get("x-amzn-errortype")?.split(":")[0] ?? undefined;
  const detail = error.apiMessage ?? awsMessage(error.error) ?? error.message;
  const description = [error.status, type].filter(Boolean).join(" ") + `: ${detail}`;
  const retryable =
    error.status === undefined
      ? type !== undefined && RETRYABLE_STREAM_ERRORS.has(type)
      : RETRYABLE_STATUSES.has(error.status) || error.status >= 500;
  const wait = retryAfterMs(error.headers);
  return { retryable, description, ...(wait !== undefined && { retryAfterMs: wait }) };
}

function awsMessage(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : undefined;
}
