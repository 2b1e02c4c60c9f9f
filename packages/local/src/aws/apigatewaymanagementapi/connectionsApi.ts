import type { IncomingMessage, ServerResponse } from "node:http";
import { WEBSOCKET_MESSAGE_BYTES } from "@amelia/core/definitions/limits";
import type { ConnectionRegistry } from "./ConnectionRegistry";

// The SDK appends `/@connections/{id}` to the endpoint's path (the stage, on AWS), so any prefix is accepted.
const CONNECTION_PATH = /\/@connections\/([^/]+)$/;

/** The connection id of an `@connections` request path, or undefined for any other path. */
export function connectionIdOf(pathname: string): string | undefined {
  const match = CONNECTION_PATH.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** Serves PostToConnection, GetConnection and DeleteConnection (REST-JSON). */
export function serveConnectionsRequest(
  registry: ConnectionRegistry,
  connectionId: string,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
): void {
  switch (request.method) {
    case "POST":
      if (body.length > WEBSOCKET_MESSAGE_BYTES) {
        sendRestError(response, 413, "PayloadTooLargeException", "Message too long");
      } else if (registry.send(connectionId, body)) {
        response.writeHead(200).end();
      } else {
        sendGone(response);
      }
      return;
    case "GET": {
      const info = registry.info(connectionId);
      if (!info) return sendGone(response);
      const identity = {
        sourceIp: info.sourceIp,
        ...(info.userAgent ? { userAgent: info.userAgent } : {}),
      };
      sendJson(response, 200, {
        connectedAt: info.connectedAt.toISOString(),
        identity,
        lastActiveAt: (info.lastActiveAt ?? info.connectedAt).toISOString(),
      });
      return;
    }
    case "DELETE":
      if (registry.close(connectionId)) response.writeHead(204).end();
      else sendGone(response);
      return;
    default:
      sendRestError(
        response,
        405,
        "MethodNotAllowedException",
        `${request.method} is not supported`,
      );
  }
}

function sendGone(response: ServerResponse): void {
  sendRestError(response, 410, "GoneException", "Gone");
}

/** REST-JSON errors: the SDK reads the error code from `x-amzn-errortype`. */
export function sendRestError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
): void {
  response.setHeader("x-amzn-errortype", type);
  sendJson(response, status, { message });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
