import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import {
  RequestSignatures,
  SignatureRefusedError,
  type LocalCredentials,
  type SignatureScope,
} from "../../packages/local/src/aws/protocol/RequestSignatures";
import {
  agentOf,
  apiError,
  listen,
  messageEvents,
  ScriptedModelApi,
  type ErrorReply,
  type FakeMessage,
  type FakeOptions,
  type MessagesBody,
  type RecordedRequest,
  type StreamEvent,
} from "./fakeMessages";

/**
 * A fake of Amazon Bedrock's runtime API for Claude, on a real HTTP server, as the Bedrock SDK
 * reaches it through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`:
 * - `POST /model/{modelId}/invoke` answers the Messages API's message as JSON (with Bedrock's
 *   token-count headers); `…/invoke-with-response-stream` streams it in AWS's event-stream
 *   framing (`application/vnd.amazon.eventstream`), each event a `chunk` frame whose `bytes` are
 *   the base64 of the Anthropic stream event's JSON;
 * - every request must carry a SigV4 signature (checked by recomputing it, as AWS does) with the
 *   test's credentials, for service `bedrock` and the fake's region; else 403 with AWS's error
 *   shape (`x-amzn-ErrorType`, a `{message}` body);
 * - the body is Anthropic's without `model` and `stream` (the path says those) and with
 *   `anthropic_version`; the model id must be a Claude model, its inference profile's geography
 *   the region's; else 400 ValidationException;
 * - errors are AWS exceptions: HTTP 429 `ThrottlingException` (no `retry-after`: Bedrock sends
 *   none), or an exception frame inside the stream.
 * Replies are scripted per agent as for the fake Anthropic API (fakeMessages.ts); a refused
 * request is recorded too, with its status, and uses up no scripted reply.
 */
export class FakeBedrock extends ScriptedModelApi<BedrockRequest> {
  private readonly signatures: RequestSignatures;

  private constructor(
    server: Server,
    url: string,
    private readonly settings: FakeBedrockOptions,
  ) {
    super(server, url, settings);
    this.signatures = new RequestSignatures(settings.credentials);
  }

  static async start(settings: FakeBedrockOptions): Promise<FakeBedrock> {
    let fake: FakeBedrock | undefined;
    const { server, url } = await listen((request, body, response) =>
      fake!.answer(request, body, response),
    );
    fake = new FakeBedrock(server, url, settings);
    return fake;
  }

  private async answer(
    request: IncomingMessage,
    raw: Buffer,
    response: ServerResponse,
  ): Promise<BedrockRequest | undefined> {
    const path = request.url ?? "/";
    const route = ROUTE.exec(path.split("?")[0]!);
    if (request.method !== "POST" || !route) {
      sendError(response, apiError(404, "UnknownOperationException", `No operation at ${path}`));
      return undefined;
    }
    const modelId = decodeURIComponent(route[1]!);
    const streaming = route[2] === "invoke-with-response-stream";
    const body = parseBody(raw);
    const recorded: BedrockRequest = {
      agent: body ? agentOf(body) : "unknown",
      body: body ?? { max_tokens: 0, messages: [] },
      headers: request.headers,
      status: 0,
      handlingMs: 0,
      path,
      modelId,
      streaming,
      signedAs: undefined,
    };
    const refusal = await this.refusal(request, raw, recorded, body);
    if (refusal) {
      recorded.status = refusal.status;
      this.requests.push(recorded);
      sendError(response, refusal);
      return recorded;
    }
    const answer = await this.decide(recorded, anthropicModel(modelId)!);
    if (!("status" in answer)) {
      if (streaming) sendFrames(response, messageEvents(answer).map(chunk(answer)));
      else sendMessage(response, answer);
    } else if (answer.inStream && streaming) {
      sendFrames(response, [exceptionFrame(answer)]);
    } else {
      sendError(response, answer);
    }
    return recorded;
  }

  /** Why AWS would refuse the request before the model sees it, if it would. */
  private async refusal(
    request: IncomingMessage,
    raw: Buffer,
    recorded: BedrockRequest,
    body: MessagesBody | undefined,
  ): Promise<ErrorReply | undefined> {
    try {
      recorded.signedAs = await this.signatures.verify(request, raw);
    } catch (error) {
      if (!(error instanceof SignatureRefusedError)) throw error;
      return apiError(403, error.type, error.message);
    }
    const { region, service } = recorded.signedAs;
    if (service !== "bedrock") {
      return invalidSignature(`Credential should be scoped to correct service: 'bedrock'.`);
    }
    if (region !== this.settings.region) {
      return invalidSignature("Credential should be scoped to a valid region.");
    }
    const { sessionToken } = this.settings.credentials;
    if (sessionToken !== undefined && request.headers["x-amz-security-token"] !== sessionToken) {
      return apiError(
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    }
    if (!servesModel(recorded.modelId, region)) {
      return validation("The provided model identifier is invalid.");
    }
    if (!body)
      return validation("Malformed input request, please reformat your input and try again.");
    for (const key of ["model", "stream"] as const) {
      if (key in body) return malformed(`extraneous key [${key}] is not permitted`);
    }
    if (typeof body.anthropic_version !== "string") {
      return malformed("required key [anthropic_version] not found");
    }
    return undefined;
  }
}

export interface BedrockCredentials extends LocalCredentials {
  sessionToken?: string;
}

export interface FakeBedrockOptions extends FakeOptions {
  /** The region the endpoint is in: requests must be signed for it. */
  region: string;
  /** The credentials IAM would accept: the test's own. */
  credentials: BedrockCredentials;
}

export interface BedrockRequest extends RecordedRequest {
  /** The request target as sent, still percent-encoded. */
  path: string;
  /** The model id of the path, decoded. */
  modelId: string;
  streaming: boolean;
  /** Whom the request was signed as, for which region and service; unset if unsigned. */
  signedAs: SignatureScope | undefined;
}

/** Bedrock's answer to more requests than the account's quota allows. */
export const throttled = (where: { inStream?: true } = {}): ErrorReply => ({
  ...apiError(429, "ThrottlingException", "Too many requests, please wait before trying again."),
  ...where,
});

const ROUTE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;
const MODEL_ID =
  /^(?:(?<geography>[a-z]+)\.)?anthropic\.(?<model>claude-[a-z0-9-]+?)(?:-v\d+(?::\d+)?)?$/;
/** The regions each inference profile's geography may be called from. */
const GEOGRAPHY_REGIONS: Record<string, string> = { us: "us-", eu: "eu-", apac: "ap-", global: "" };
const ERROR_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/";

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/** The model as Anthropic names it, which Bedrock's answers give: `claude-sonnet-4-5-20250929`. */
function anthropicModel(modelId: string): string | undefined {
  return MODEL_ID.exec(modelId)?.groups?.model;
}

function servesModel(modelId: string, region: string): boolean {
  const geography = MODEL_ID.exec(modelId)?.groups?.geography;
  if (!anthropicModel(modelId)) return false;
  if (geography === undefined) return true;
  const prefix = GEOGRAPHY_REGIONS[geography];
  return prefix !== undefined && region.startsWith(prefix);
}

function parseBody(raw: Buffer): MessagesBody | undefined {
  try {
    const body = JSON.parse(raw.toString("utf8")) as unknown;
    return typeof body === "object" && body !== null ? (body as MessagesBody) : undefined;
  } catch {
    return undefined;
  }
}

const invalidSignature = (message: string) => apiError(403, "InvalidSignatureException", message);
const validation = (message: string) => apiError(400, "ValidationException", message);
const malformed = (problem: string) =>
  validation(`Malformed input request: #: ${problem}, please reformat your input and try again.`);

function sendError(response: ServerResponse, error: ErrorReply): void {
  response.writeHead(error.status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${error.type}:${ERROR_NAMESPACE}`,
    "x-amzn-requestid": crypto.randomUUID(),
  });
  response.end(JSON.stringify({ message: error.message }));
}

function sendMessage(response: ServerResponse, message: FakeMessage): void {
  const { usage } = message;
  response.writeHead(200, {
    "content-type": "application/json",
    "x-amzn-requestid": crypto.randomUUID(),
    "x-amzn-bedrock-invocation-latency": "120",
    "x-amzn-bedrock-input-token-count": String(usage.input_tokens),
    "x-amzn-bedrock-output-token-count": String(usage.output_tokens),
    "x-amzn-bedrock-cache-read-input-token-count": String(usage.cache_read_input_tokens),
    "x-amzn-bedrock-cache-write-input-token-count": String(usage.cache_creation_input_tokens),
  });
  response.end(JSON.stringify(message));
}

function sendFrames(response: ServerResponse, frames: Uint8Array[]): void {
  response.writeHead(200, {
    "content-type": "application/vnd.amazon.eventstream",
    "x-amzn-bedrock-content-type": "application/json",
    "x-amzn-requestid": crypto.randomUUID(),
  });
  for (const frame of frames) response.write(frame);
  response.end();
}

const header = (value: string) => ({ type: "string", value }) as const;

/**
 * One stream event as Bedrock frames it: a `chunk` event whose JSON payload holds the event's
 * JSON in base64 (and padding `p`, which Bedrock adds so that sizes tell nothing). The last event
 * carries Bedrock's invocation metrics.
 */
function chunk(message: FakeMessage): (event: StreamEvent) => Uint8Array {
  return (event) => {
    const payload =
      event.type === "message_stop"
        ? { ...event, "amazon-bedrock-invocationMetrics": invocationMetrics(message) }
        : event;
    const headers: MessageHeaders = {
      ":event-type": header("chunk"),
      ":content-type": header("application/json"),
      ":message-type": header("event"),
    };
    const bytes = Buffer.from(JSON.stringify(payload)).toString("base64");
    const body = JSON.stringify({
      bytes,
      p: "abcdefghijklmnopqrstuvwxyz".slice(0, 1 + (bytes.length % 26)),
    });
    return codec.encode({ headers, body: new TextEncoder().encode(body) });
  };
}

function invocationMetrics({ usage }: FakeMessage) {
  return {
    inputTokenCount: usage.input_tokens,
    outputTokenCount: usage.output_tokens,
    invocationLatency: 120,
    firstByteLatency: 40,
    cacheReadInputTokenCount: usage.cache_read_input_tokens,
    cacheWriteInputTokenCount: usage.cache_creation_input_tokens,
  };
}

/** An AWS exception inside the stream: its name camel-cased as the frame's exception type. */
function exceptionFrame(error: ErrorReply): Uint8Array {
  const headers: MessageHeaders = {
    ":exception-type": header(error.type.charAt(0).toLowerCase() + error.type.slice(1)),
    ":content-type": header("application/json"),
    ":message-type": header("exception"),
  };
  return codec.encode({
    headers,
    body: new TextEncoder().encode(JSON.stringify({ message: error.message })),
  });
}
