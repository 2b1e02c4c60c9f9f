import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { parse as parseContentType } from "content-type";
import { MAX_BODY_BYTES } from "@amelia/core/definitions/limits";
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "@amelia/core/errors";
import { answeringErrors } from "./answeringErrors";
import { lambdaHandler } from "./lambdaHandler";

export interface HttpRequest {
  /** The parsed JSON body ({} when there is none, or the route parses it itself). */
  body: unknown;
  /** The body as it came, for a route that checks a signature over it ("" when none). */
  rawBody: string;
  /** Header names in lower case, as API Gateway's payload 2.0 has them. */
  headers: Record<string, string>;
  path: Record<string, string>;
  query: Record<string, string>;
  context: Context;
}

export interface RouteOptions {
  /** false: the route parses the JSON body itself (after checking what it must first). */
  parseBody?: boolean;
}

export interface HttpResponse {
  status: number;
  /** JSON, or the text itself when `text` is set. */
  body: unknown;
  /** The answer is this text (a log), sent as `text/plain`. */
  text?: true;
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/**
 * Wraps an HTTP route: refuses a body that is not declared `application/json` (so a page on
 * another site cannot send one as a "simple" request) or is over MAX_BODY_BYTES, parses it, and
 * answers errors with the contract's `{code, error, details}`. Unexpected errors are logged,
 * never returned.
 */
export function httpRoute(
  handle: (request: HttpRequest) => Promise<HttpResponse>,
  { parseBody = true }: RouteOptions = {},
) {
  return lambdaHandler<Event, Result>(
    async (event, context) => {
      const rawBody = readBody(event);
      const { status, body, text } = await handle({
        body: parseBody ? parseJson(rawBody) : {},
        rawBody,
        headers: definedValues(event.headers),
        path: definedValues(event.pathParameters),
        query: definedValues(event.queryStringParameters),
        context,
      });
      if (text) {
        const headers = { "content-type": "text/plain; charset=utf-8" };
        return { statusCode: status, headers, body: String(body) };
      }
      return json(status, body);
    },
    answeringErrors(({ statusCode, body }) => json(statusCode, body)),
  );
}

/** The body as text, once it is known to be JSON within the limit; "" when there is none. */
function readBody(event: Event): string {
  if (event.body === undefined || event.body === "") return "";
  requireJson(event.headers["content-type"]);
  const raw = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body);
  if (raw.byteLength > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  return raw.toString("utf8");
}

/** The JSON of a body read by `readBody` ({} for none). */
export function parseJson(body: string): unknown {
  if (body === "") return {};
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new ValidationError("The request body is not valid JSON", [
      { field: "(body)", message: (error as Error).message },
    ]);
  }
}

/** `application/json`, with no parameter but an optional `charset=utf-8`. */
function requireJson(header: string | undefined): void {
  const { type, parameters } = parseContentType(header ?? "");
  const onlyUtf8 = Object.entries(parameters).every(
    ([name, value]) => name === "charset" && value.toLowerCase() === "utf-8",
  );
  if (type !== "application/json" || !onlyUtf8) throw new UnsupportedMediaTypeError(header);
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
