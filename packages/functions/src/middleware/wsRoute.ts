import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from "aws-lambda";
import { AmeliaError, ValidationError } from "@amelia/core/errors";
import { logger } from "@amelia/core/logger";
import type { ServerMessage } from "@amelia/core/realtime/messages";

export interface WsMessage {
  connectionId: string;
  /** The parsed JSON message (undefined for $connect and $disconnect). */
  body: unknown;
}

/**
 * Wraps a WebSocket route whose return value is its reply (an API Gateway route response). A
 * bad message is answered with `{type:"error"}` on the same connection, which stays open: one
 * malformed message must not cost the client its stream.
 */
export function wsRoute(handle: (message: WsMessage) => Promise<ServerMessage>) {
  return middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { logEvent: false }))
    .handler(async (event) => {
      const connectionId = event.requestContext.connectionId;
      try {
        return reply(await handle({ connectionId, body: parseMessage(event.body) }));
      } catch (error) {
        if (!(error instanceof AmeliaError)) logger.error("WebSocket route failed", { error });
        const problem =
          error instanceof AmeliaError
            ? {
                code: error.code,
                error: error.message,
                ...(error.details ? { details: error.details } : {}),
              }
            : { code: "INTERNAL_ERROR" as const, error: "Internal server error" };
        return reply({ type: "error", ...problem });
      }
    });
}

function reply(message: ServerMessage): APIGatewayProxyResultV2 {
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
  return middy<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { logEvent: false }))
    .handler(async (event) => {
      await handle(event.requestContext.connectionId);
      return { statusCode: 200 };
    });
}
