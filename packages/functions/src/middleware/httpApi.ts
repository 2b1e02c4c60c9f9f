import middy, { type MiddlewareObj } from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { MAX_BODY_BYTES } from "@amelia/core/definitions/limits";
import { AmeliaError, PayloadTooLargeError, ValidationError } from "@amelia/core/errors";
import { logger } from "@amelia/core/logger";

export interface HttpRequest {
  /** The parsed JSON body ({} when there is none). */
  body: unknown;
  path: Record<string, string>;
  query: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  body: unknown;
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/**
 * Wraps an HTTP route: refuses bodies over 1 MiB, parses JSON, and maps domain errors to the
 * contract's `{code, error, details}` responses. Unexpected errors are logged, never returned.
 */
export function httpRoute(handle: (request: HttpRequest) => Promise<HttpResponse>) {
  return middy<Event, Result, Error, Context>()
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(errorResponses())
    .handler(async (event) => {
      const { status, body } = await handle({
        body: parseBody(event),
        path: definedValues(event.pathParameters),
        query: definedValues(event.queryStringParameters),
      });
      return json(status, body);
    });
}

function parseBody(event: Event): unknown {
  if (event.body === undefined || event.body === "") return {};
  const raw = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body);
  if (raw.byteLength > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new ValidationError("The request body is not valid JSON", [
      { field: "(body)", message: (error as Error).message },
    ]);
  }
}

function errorResponses(): MiddlewareObj<Event, Result> {
  return {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof AmeliaError) {
        request.response = json(error.statusCode, {
          code: error.code,
          error: error.message,
          ...(error.details !== undefined && { details: error.details }),
        });
        return;
      }
      logger.error("Unhandled error", { error });
      request.response = json(500, { code: "INTERNAL_ERROR", error: "Internal server error" });
    },
  };
}

function definedValues(record: Record<string, string | undefined> | undefined | null) {
  return Object.fromEntries(
    Object.entries(record ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

function json(statusCode: number, body: unknown): Result {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

/** The `{id}` path parameter every workflow route has. */
export function workflowId(request: HttpRequest): string {
  const id = request.path.id;
  if (!id)
    throw new ValidationError("The workflow id is missing", [
      { field: "id", message: "is required" },
    ]);
  return id;
}
