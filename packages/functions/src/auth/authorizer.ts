import { timingSafeEqual } from "node:crypto";
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayRequestAuthorizerEvent,
  APIGatewaySimpleAuthorizerResult,
} from "aws-lambda";
import { readApiToken } from "@amelia/core/auth/apiToken";

type HttpAuthorizerEvent = Pick<APIGatewayRequestAuthorizerEventV2, "headers">;
/** A WebSocket `$connect`: REQUEST authorizer with `methodArn`, answered with an IAM policy. */
type WebSocketAuthorizerEvent = Pick<
  APIGatewayRequestAuthorizerEvent,
  "methodArn" | "headers" | "queryStringParameters"
>;

/**
 * Bearer-token authorizer for both APIs. The HTTP API takes a simple response; the WebSocket
 * API takes a policy, and its browser clients (which cannot set headers) send the token as
 * `?token=`. On HTTP routes a `?token=` counts for nothing: it would leak into access logs.
 */
export async function handler(event: WebSocketAuthorizerEvent): Promise<APIGatewayAuthorizerResult>;
export async function handler(
  event: HttpAuthorizerEvent,
): Promise<APIGatewaySimpleAuthorizerResult>;
export async function handler(
  event: HttpAuthorizerEvent | WebSocketAuthorizerEvent,
): Promise<APIGatewaySimpleAuthorizerResult | APIGatewayAuthorizerResult> {
  const expected = await readApiToken();
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const bearer = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : undefined;
  if (!("methodArn" in event)) return { isAuthorized: matches(bearer, expected) };
  const allowed = matches(bearer ?? event.queryStringParameters?.token, expected);
  return {
    principalId: "amelia-api-token",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [
        {
          Action: "execute-api:Invoke",
          Effect: allowed ? "Allow" : "Deny",
          Resource: event.methodArn,
        },
      ],
    },
  };
}

/** Constant-time comparison; with no token configured nobody is let in. */
function matches(presented: string | undefined, expected: string | undefined): boolean {
  if (presented === undefined || expected === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
