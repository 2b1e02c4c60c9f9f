import type { IncomingMessage, ServerResponse } from "node:http";
import {
  agentOf,
  listen,
  messageEvents,
  ScriptedModelApi,
  type ErrorReply,
  type FakeOptions,
  type MessagesBody,
  type RecordedRequest,
  type StreamEvent,
} from "./fakeMessages";

export {
  apiError,
  overloaded,
  reply,
  text,
  toolUse,
  type Agent,
  type MessageReply,
  type RecordedRequest,
  type Usage,
} from "./fakeMessages";

/**
 * A fake Anthropic Messages API: a real HTTP server speaking `POST /v1/messages`, plain JSON or
 * SSE streaming, with tool_use blocks, `usage` with cache fields, and scripted errors (429/529
 * with `retry-after`, 400s, an `error` event inside a stream). Tests script the replies per agent
 * (fakeMessages.ts) and read back every request the agents made.
 */
export class FakeAnthropic extends ScriptedModelApi<RecordedRequest> {
  static async start(options: FakeOptions = {}): Promise<FakeAnthropic> {
    let fake: FakeAnthropic | undefined;
    const { server, url } = await listen((request, body, response) =>
      fake!.answer(request, body, response),
    );
    fake = new FakeAnthropic(server, url, options);
    return fake;
  }

  private async answer(
    request: IncomingMessage,
    raw: Buffer,
    response: ServerResponse,
  ): Promise<RecordedRequest | undefined> {
    if (request.method !== "POST" || !request.url?.startsWith("/v1/messages")) {
      sendError(response, {
        status: 404,
        type: "not_found_error",
        message: `No route ${request.url}`,
      });
      return undefined;
    }
    const body = JSON.parse(raw.toString("utf8")) as MessagesBody;
    const recorded: RecordedRequest = {
      agent: agentOf(body),
      body,
      headers: request.headers,
      status: 0,
      handlingMs: 0,
    };
    const answer = await this.decide(recorded, body.model ?? "");
    if (!("status" in answer)) {
      if (body.stream) sendEvents(response, messageEvents(answer));
      else {
        response.writeHead(200, { "content-type": "application/json", "request-id": answer.id });
        response.end(JSON.stringify(answer));
      }
    } else if (answer.inStream && body.stream) {
      sendEvents(response, [errorBody(answer)]);
    } else {
      sendError(response, answer);
    }
    return recorded;
  }
}

function errorBody(error: ErrorReply): StreamEvent {
  return { type: "error", error: { type: error.type, message: error.message } };
}

function sendError(response: ServerResponse, error: ErrorReply): void {
  response.writeHead(error.status, {
    "content-type": "application/json",
    ...(error.retryAfter !== undefined && { "retry-after": String(error.retryAfter) }),
  });
  response.end(JSON.stringify(errorBody(error)));
}

function sendEvents(response: ServerResponse, events: StreamEvent[]): void {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const event of events) {
    response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }
  response.end();
}
