export type HttpMethod = "GET" | "POST";

export interface HttpRoute {
  method: HttpMethod;
  /** API Gateway path template: `{name}` is a path parameter. */
  path: string;
  handler: string;
  /**
   * false only for the health check and GitHub's webhook, whose deliveries are signed (the
   * handler checks the signature): every other route needs the API token.
   */
  auth: boolean;
}

const fn = (name: string) => `packages/functions/src/http/${name}.handler`;

/** The HTTP API, shared by the stacks and the local runtime. */
export const HTTP_ROUTES: readonly HttpRoute[] = [
  { method: "GET", path: "/api/health", handler: fn("health"), auth: false },
  { method: "POST", path: "/api/workflows", handler: fn("createWorkflow"), auth: true },
  { method: "GET", path: "/api/workflows", handler: fn("listWorkflows"), auth: true },
  { method: "GET", path: "/api/workflows/active", handler: fn("listActiveWorkflows"), auth: true },
  { method: "GET", path: "/api/workflows/{id}", handler: fn("getWorkflow"), auth: true },
  { method: "GET", path: "/api/workflows/{id}/events", handler: fn("listEvents"), auth: true },
  { method: "GET", path: "/api/workflows/{id}/diff", handler: fn("getWorkflowDiff"), auth: true },
  {
    method: "GET",
    path: "/api/workflows/{id}/checks/{runId}/{index}/log",
    handler: fn("getCheckLog"),
    auth: true,
  },
  {
    method: "POST",
    path: "/api/workflows/{id}/approve",
    handler: fn("approveWorkflow"),
    auth: true,
  },
  { method: "POST", path: "/api/workflows/{id}/reject", handler: fn("rejectWorkflow"), auth: true },
  { method: "POST", path: "/api/workflows/{id}/cancel", handler: fn("cancelWorkflow"), auth: true },
  { method: "POST", path: "/api/workflows/{id}/resume", handler: fn("resumeWorkflow"), auth: true },
  { method: "POST", path: "/api/workflows/{id}/budget", handler: fn("raiseBudget"), auth: true },
  { method: "GET", path: "/api/usage", handler: fn("getUsage"), auth: true },
  { method: "POST", path: "/api/github/webhook", handler: fn("githubWebhook"), auth: false },
];

export interface WebSocketRoute {
  routeKey: string;
  handler: string;
  /**
   * The handler's return value is the reply to the sender (an API Gateway route response), so
   * that only the broadcaster needs to post to connections.
   */
  replies: boolean;
}

const ws = (name: string) => `packages/functions/src/ws/${name}.handler`;

/** WebSocket routes, selected by the message's `action` (`$request.body.action`). */
export const WEBSOCKET_ROUTE_SELECTION = "$request.body.action";
export const WEBSOCKET_ROUTES: readonly WebSocketRoute[] = [
  { routeKey: "$connect", handler: ws("connect"), replies: false },
  { routeKey: "$disconnect", handler: ws("disconnect"), replies: false },
  { routeKey: "subscribe", handler: ws("subscribe"), replies: true },
  { routeKey: "unsubscribe", handler: ws("unsubscribe"), replies: true },
  { routeKey: "ping", handler: ws("ping"), replies: true },
  { routeKey: "$default", handler: ws("unknownAction"), replies: true },
];
