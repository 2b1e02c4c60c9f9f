import { timingSafeEqual } from "node:crypto";
import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";
import { readConfig } from "@amelia/core/config";

/**
 * Bearer-token authorizer (HTTP API simple responses). The token comes in the Authorization
 * header, or for a WebSocket `$connect` in the `token` query parameter.
 */
export const handler = async (
  event: Pick<APIGatewayRequestAuthorizerEventV2, "headers" | "queryStringParameters">,
): Promise<{ isAuthorized: boolean }> => {
  const expected = readConfig().apiToken;
  if (!expected) return { isAuthorized: false };
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const presented = header?.startsWith("Bearer ")
    ? header.slice("Bearer ".length)
    : event.queryStringParameters?.token;
  return { isAuthorized: presented !== undefined && sameSecret(presented, expected) };
};

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
