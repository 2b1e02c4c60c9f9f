import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { AUTHORIZER_FUNCTION } from "@amelia/core/definitions/functions";
import { HTTP_API_PAYLOAD_BYTES } from "@amelia/core/definitions/limits";
import { HTTP_ROUTES, type HttpRoute } from "@amelia/core/definitions/routes";
import type { LocalLambdas } from "../lambda/LocalLambdas";
import {
  BodyTooLargeError,
  flatHeaders,
  queryParameters,
  readBody,
  sendJson,
} from "../http/requests";

/** The answers API Gateway gives itself, before or instead of an integration: `{"message": …}`. */
function sendGatewayResponse(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { message });
}

interface CompiledRoute {
  route: HttpRoute;
  pattern: RegExp;
  parameters: string[];
}

/**
 * API Gateway HTTP API (payload format 2.0) over the shared route table, answering as it does:
 * 404 for no route, 413 over its payload quota, and with the Lambda authorizer on (its identity
 * source is the Authorization header) 401 when that header is missing, 403 when it is refused.
 */
export class HttpGateway {
  private readonly routes: CompiledRoute[] = HTTP_ROUTES.map(compile);

  constructor(
    private readonly lambdas: LocalLambdas,
    private readonly authRequired: boolean,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    let match: ReturnType<HttpGateway["match"]>;
    try {
      match = this.match(request.method ?? "GET", url.pathname);
    } catch (error) {
      // A path parameter with a broken %-escape is the client's mistake, not a 500.
      if (!(error instanceof URIError)) throw error;
      sendJson(response, 400, {
        code: "VALIDATION_ERROR",
        error: "The request path is not validly percent-encoded",
        details: [{ field: "(path)", message: "is not validly percent-encoded" }],
      });
      return;
    }
    if (!match) return sendGatewayResponse(response, 404, "Not Found");
    let body: Buffer;
    try {
      body = await readBody(request, HTTP_API_PAYLOAD_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      response.setHeader("connection", "close");
      return sendGatewayResponse(response, 413, "Request Entity Too Large");
    }
    const event = this.event(request, url, match.route, match.pathParameters, body);
    if (match.route.auth && this.authRequired) {
      // A missing identity source is refused without calling the authorizer.
      if (!event.headers.authorization) return sendGatewayResponse(response, 401, "Unauthorized");
      const { isAuthorized } = (await this.lambdas.invoke(AUTHORIZER_FUNCTION, event)) as {
        isAuthorized: boolean;
      };
      if (!isAuthorized) return sendGatewayResponse(response, 403, "Forbidden");
    }
    const result = (await this.lambdas.invoke(
      match.route.handler,
      event,
    )) as APIGatewayProxyStructuredResultV2;
    response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    response.end(result.body ?? "");
  }

  private match(method: string, path: string) {
    let best:
      { route: HttpRoute; pathParameters: Record<string, string>; score: number } | undefined;
    for (const { route, pattern, parameters } of this.routes) {
      if (route.method !== method) continue;
      const found = pattern.exec(path);
      if (!found) continue;
      // API Gateway prefers the route with the most literal segments.
      const score = parameters.length;
      if (best && best.score <= score) continue;
      const values = found.slice(1).map((value) => decodeURIComponent(value));
      best = {
        route,
        pathParameters: Object.fromEntries(parameters.map((p, i) => [p, values[i]!])),
        score,
      };
    }
    return best;
  }

  private event(
    request: IncomingMessage,
    url: URL,
    route: HttpRoute,
    pathParameters: Record<string, string>,
    body: Buffer,
  ): APIGatewayProxyEventV2 {
    const headers = flatHeaders(request);
    const query = queryParameters(url.searchParams);
    const now = Date.now();
    const routeKey = `${route.method} ${route.path}`;
    return {
      version: "2.0",
      routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(query && { queryStringParameters: query }),
      ...(Object.keys(pathParameters).length && { pathParameters }),
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        domainName: headers.host ?? "127.0.0.1",
        domainPrefix: "local",
        http: {
          method: route.method,
          path: url.pathname,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
          userAgent: headers["user-agent"] ?? "",
        },
        requestId: randomUUID(),
        routeKey,
        stage: "$default",
        time: new Date(now).toISOString(),
        timeEpoch: now,
      },
      ...(body.length && { body: body.toString("utf8") }),
      isBase64Encoded: false,
    };
  }
}

function compile(route: HttpRoute): CompiledRoute {
  const parameters: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      parameters.push(parameter[1]!);
      return "([^/]+)";
    })
    .join("/");
  return { route, pattern: new RegExp(`^${source}$`), parameters };
}
