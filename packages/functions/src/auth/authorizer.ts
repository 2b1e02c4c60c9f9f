import { timingSafeEqual } from "node:crypto";
import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";
import { readSecret } from "@amelia/core/secrets";

/**
 * Bearer-token authorizer (HTTP API simple responses). The token comes in the Authorization
 * header, or for a WebSocket `$connect` in the `token` query parameter.
 */
export const handler = async (
  event: Pick<APIGatewayRequestAuthorizerEventV2, "headers" | "queryStringParameters"> & {
    requestContext?: { eventType?: string };
  },
): Promise<{ isAuthorized: boolean }> => {
  const expected = await readSecret("apiToken");
  if (!expected) return { isAuthorized: false };
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  // Only a WebSocket `$connect` (a browser cannot set its headers) may carry the token in the
  // URL; on an HTTP route a `?token=` would leak the secret into logs, so it counts for nothing.
  const webSocketConnect = event.requestContext?.eventType === "CONNECT";
  const presented = header?.startsWith("Bearer ")
    ? header.slice("Bearer ".length)
    : webSocketConnect
      ? event.queryStringParameters?.token
      : undefined;
  return { isAuthorized: presented !== undefined && sameSecret(presented, expected) };
};

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
