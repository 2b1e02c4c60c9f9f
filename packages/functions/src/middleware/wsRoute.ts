import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { ValidationError } from "@amelia/core/errors";
import type { ServerMessage } from "@amelia/core/realtime/messages";
import { answeringErrors } from "./answeringErrors";
import { lambdaHandler } from "./lambdaHandler";

export interface WsMessage {
  connectionId: string;
  /** The parsed JSON message (undefined for $connect and $disconnect). */
  body: unknown;
}

type Event = APIGatewayProxyWebsocketEventV2;
type Result = APIGatewayProxyResultV2;

/**
 * Wraps a WebSocket route whose return value is its reply (an API Gateway route response). A
 * bad message is answered with `{type:"error"}` on the same connection, which stays open: one
 * malformed message must not cost the client its stream.
 */
export function wsRoute(handle: (message: WsMessage) => Promise<ServerMessage>) {
  return lambdaHandler<Event, Result>(
    async (event) =>
      reply(
        await handle({
          connectionId: event.requestContext.connectionId,
          body: parseMessage(event.body),
        }),
      ),
    answeringErrors(({ body }) => reply({ type: "error", ...body })),
  );
}

function reply(message: ServerMessage): Result {
  return { statusCode: 200, body: JSON.stringify(message) };
}

function parseMessage(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    throw new ValidationError("The message is not valid JSON");
  }
}

/** `$connect` / `$disconnect`: no message, just the connection coming or going. */
export function connectionRoute(handle: (connectionId: string) => Promise<void>) {
  return lambdaHandler<Event, Result>(async (event) => {
    await handle(event.requestContext.connectionId);
    return { statusCode: 200 };
  });
}
