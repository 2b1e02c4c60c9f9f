import type { APIGatewayProxyEventV2, APIGatewayProxyWebsocketEventV2 } from "aws-lambda";

/** An HTTP API (payload format 2.0) request as API Gateway sends it. */
export function httpEvent(
  method: string,
  options: { body?: string; headers?: Record<string, string>; isBase64Encoded?: boolean } = {},
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: `${method} /api/test`,
    rawPath: "/api/test",
    rawQueryString: "",
    headers: options.headers ?? {},
    requestContext: {
      accountId: "000000000000",
      apiId: "test",
      domainName: "test.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "test",
      http: {
        method,
        path: "/api/test",
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "vitest",
      },
      requestId: "request-1",
      routeKey: `${method} /api/test`,
      stage: "$default",
      time: "01/Dec/2026:21:00:00 +0000",
      timeEpoch: 0,
    },
    ...(options.body !== undefined && { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A WebSocket route's event as API Gateway sends it. */
export function wsEvent(body: string | undefined): APIGatewayProxyWebsocketEventV2 {
  return {
    requestContext: {
      routeKey: "subscribe",
      messageId: "message-1",
      eventType: "MESSAGE",
      extendedRequestId: "extended-1",
      requestTime: "01/Dec/2026:21:00:00 +0000",
      messageDirection: "IN",
      stage: "$default",
      connectedAt: 0,
      requestTimeEpoch: 0,
      requestId: "request-1",
      domainName: "test.execute-api.us-east-1.amazonaws.com",
      connectionId: "connection-1",
      apiId: "test",
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  };
}
