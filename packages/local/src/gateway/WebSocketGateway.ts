import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { APIGatewayAuthorizerResult, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { WebSocketServer, type WebSocket } from "ws";
import { AUTHORIZER_FUNCTION } from "@amelia/core/definitions/functions";
import { WEBSOCKET_MESSAGE_BYTES } from "@amelia/core/definitions/limits";
import { WEBSOCKET_ROUTES } from "@amelia/core/definitions/routes";
import type {
  ConnectionInfo,
  ConnectionRegistry,
} from "../aws/apigatewaymanagementapi/ConnectionRegistry";
import type { LocalLambdas } from "../lambda/LocalLambdas";
import type { UsageMeter } from "../metering/UsageMeter";
import { flatHeaders, queryParameters } from "../http/requests";
import { consoleLog, type EmulatorLog } from "../log";

interface Connection {
  socket: WebSocket;
  connectedAt: number;
  sourceIp: string;
}

/**
 * API Gateway WebSocket API: `$connect`/`$disconnect`, route selection on the message's
 * `action`, and the connection registry that the local `@connections` API posts through.
 */
export class WebSocketGateway implements ConnectionRegistry {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: WEBSOCKET_MESSAGE_BYTES,
  });
  private readonly connections = new Map<string, Connection>();
  private readonly routes = new Map(WEBSOCKET_ROUTES.map((r) => [r.routeKey, r]));

  constructor(
    private readonly lambdas: LocalLambdas,
    private readonly authRequired: boolean,
    private readonly meter?: UsageMeter,
    private readonly log: EmulatorLog = consoleLog,
  ) {}

  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const connectionId = randomBytes(12).toString("base64url");
    const connect = this.event(connectionId, "$connect", "CONNECT", request, url);
    const refused = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    };
    if (this.authRequired) {
      // The identity source is the `token` query parameter: without one, no authorizer runs.
      if (!url.searchParams.get("token")) return refused(401, "Unauthorized");
      const methodArn = "arn:aws:execute-api:local:000000000000:local/local/$connect";
      const result = (await this.lambdas.invoke(AUTHORIZER_FUNCTION, {
        ...connect,
        type: "REQUEST",
        methodArn,
      })) as APIGatewayAuthorizerResult;
      const allowed = result.policyDocument.Statement.every(
        (statement) => statement.Effect === "Allow",
      );
      if (!allowed) return refused(403, "Forbidden");
    }
    // The connection exists before $connect runs, so the handler may already post to it.
    this.server.handleUpgrade(request, socket, head, async (ws) => {
      this.connections.set(connectionId, {
        socket: ws,
        connectedAt: Date.now(),
        sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
      });
      const pending: Buffer[] = [];
      let ready = false;
      ws.on("message", (data: Buffer) =>
        ready ? this.route(connectionId, data) : pending.push(data),
      );
      ws.on("close", () => {
        if (this.connections.delete(connectionId)) this.disconnected(connectionId);
      });
      try {
        const result = (await this.lambdas.invoke(this.handlerFor("$connect"), connect)) as {
          statusCode?: number;
        };
        if ((result?.statusCode ?? 200) >= 400)
          throw new Error(`$connect answered ${result.statusCode}`);
      } catch (error) {
        this.log("WebSocket $connect failed", { error });
        this.connections.delete(connectionId);
        ws.close(1011, "connect failed");
        return;
      }
      ready = true;
      for (const data of pending) this.route(connectionId, data);
    });
  }

  /** Posts to a connection; false when it is gone (the @connections API answers 410). */
  send(connectionId: string, data: Buffer): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) return false;
    this.meter?.webSocketMessage(data.length);
    connection.socket.send(data.toString("utf8"));
    return true;
  }

  close(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    connection.socket.close(1000, "closed by the server");
    return true;
  }

  info(connectionId: string): ConnectionInfo | undefined {
    const connection = this.connections.get(connectionId);
    return (
      connection && { connectedAt: new Date(connection.connectedAt), sourceIp: connection.sourceIp }
    );
  }

  /**
   * Cuts every connection without a close handshake, as a network failure does (clients see
   * 1006 and must reconnect with `since`). Returns how many were cut.
   */
  terminateAll(): number {
    const sockets = [...this.connections.values()].map((c) => c.socket);
    for (const socket of sockets) socket.terminate();
    return sockets.length;
  }

  /**
   * Closes every connection, as a redeploy does (clients reconnect and backfill with `since`),
   * and waits until each has closed so its `$disconnect` runs while the database is still up.
   */
  async closeAll(timeoutMs = 2_000): Promise<void> {
    await Promise.all(
      [...this.connections.values()].map(
        ({ socket }) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => socket.terminate(), timeoutMs);
            socket.once("close", () => {
              clearTimeout(timer);
              resolve();
            });
            socket.close(1001, "server shutting down");
          }),
      ),
    );
    this.server.close();
  }

  private route(connectionId: string, data: Buffer): void {
    this.meter?.webSocketMessage(data.length);
    const body = data.toString("utf8");
    const routeKey = this.selectRoute(body);
    const event = this.event(connectionId, routeKey, "MESSAGE", undefined, undefined, body);
    const route = this.routes.get(routeKey)!;
    this.lambdas
      .invoke(route.handler, event)
      .then((result) => {
        // A route response: API Gateway sends the integration's body back to the sender.
        const reply = (result as { body?: unknown } | undefined)?.body;
        if (route.replies && typeof reply === "string") this.send(connectionId, Buffer.from(reply));
      })
      .catch((error: unknown) => this.log("WebSocket route failed", { routeKey, error }));
  }

  private handlerFor(routeKey: string): string {
    return this.routes.get(routeKey)!.handler;
  }

  /** `$request.body.action`, falling back to `$default` like API Gateway. */
  private selectRoute(body: string): string {
    try {
      const action = (JSON.parse(body) as { action?: unknown }).action;
      if (
        typeof action === "string" &&
        action &&
        !action.startsWith("$") &&
        this.routes.has(action)
      ) {
        return action;
      }
    } catch {
      // Not JSON: the $default route answers it.
    }
    return "$default";
  }

  private disconnected(connectionId: string): void {
    const event = this.event(connectionId, "$disconnect", "DISCONNECT");
    this.lambdas
      .invoke(this.handlerFor("$disconnect"), event)
      .catch((error: unknown) => this.log("WebSocket $disconnect failed", { error }));
  }

  private event(
    connectionId: string,
    routeKey: string,
    eventType: "CONNECT" | "MESSAGE" | "DISCONNECT",
    request?: IncomingMessage,
    url?: URL,
    body?: string,
  ): APIGatewayProxyWebsocketEventV2 & Record<string, unknown> {
    const now = Date.now();
    const query = url && queryParameters(url.searchParams);
    return {
      ...(request && { headers: flatHeaders(request) }),
      ...(query && { queryStringParameters: query }),
      requestContext: {
        routeKey,
        eventType,
        connectionId,
        messageId: randomUUID(),
        extendedRequestId: randomUUID(),
        requestTime: new Date(now).toUTCString(),
        messageDirection: "IN",
        stage: "local",
        connectedAt: this.connections.get(connectionId)?.connectedAt ?? now,
        requestTimeEpoch: now,
        requestId: randomUUID(),
        domainName: "127.0.0.1",
        apiId: "local",
      },
      ...(body !== undefined && { body }),
      isBase64Encoded: false,
    };
  }
}
