import { CfnRoute } from "aws-cdk-lib/aws-apigatewayv2";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Api as HttpApi, use, type Function, type StackContext } from "sst/constructs";
import { HTTP_ROUTES } from "@amelia/core/definitions/routes";
import type { SecretName } from "@amelia/core/secrets";
import { grantTable, type TableAccess } from "./access";
import { configureFunction, SIZES } from "./functionDefaults";
import { accept, wildcardResource } from "./nag";
import { Auth } from "./Auth";
import { Events } from "./Events";
import { Storage } from "./Storage";
import { Workflow } from "./Workflow";

type Execution = "start" | "answerGate" | "stop" | "redrive";

/** What a route may do with the table, the bus, the workflow executions and the secrets. */
interface RouteAccess {
  table: TableAccess;
  publish?: true;
  executions?: Execution[];
  secrets?: SecretName[];
  /** Why the route takes no bearer token: set exactly on the routes the definitions open. */
  openBecause?: string;
}

/**
 * What each route may do. A route without an entry fails synthesis: whoever adds a route
 * decides its privileges. Only approve, reject, budget and GitHub's webhook answer gates
 * (states:SendTask*).
 */
const ROUTE_ACCESS: Record<string, RouteAccess> = {
  // Health and create name the model in use, which depends on whether a key is set.
  "GET /api/health": {
    table: "read",
    secrets: ["anthropicApiKey"],
    openBecause: "Open by contract: the health check answers without the token (it names no data)",
  },
  // Create also checks the repository and reads `owner/name#n` issues on GitHub.
  "POST /api/workflows": {
    table: "readWrite",
    publish: true,
    executions: ["start"],
    secrets: ["anthropicApiKey", "githubToken"],
  },
  "GET /api/workflows": { table: "read" },
  "GET /api/workflows/active": { table: "read" },
  "GET /api/workflows/{id}": { table: "read" },
  "GET /api/workflows/{id}/events": { table: "read" },
  // Reads the commits of a workflow on GitHub.
  "GET /api/workflows/{id}/diff": { table: "read", secrets: ["githubToken"] },
  "GET /api/workflows/{id}/checks/{runId}/{index}/log": { table: "read" },
  "POST /api/workflows/{id}/approve": {
    table: "readWrite",
    publish: true,
    executions: ["answerGate"],
  },
  "POST /api/workflows/{id}/reject": {
    table: "readWrite",
    publish: true,
    executions: ["answerGate"],
  },
  "POST /api/workflows/{id}/cancel": { table: "readWrite", publish: true, executions: ["stop"] },
  "POST /api/workflows/{id}/resume": {
    table: "readWrite",
    publish: true,
    executions: ["redrive"],
  },
  // More budget opens the budget gate.
  "POST /api/workflows/{id}/budget": {
    table: "readWrite",
    publish: true,
    executions: ["answerGate"],
  },
  "GET /api/usage": { table: "read" },
  // A label or an assignment creates a workflow, a comment approves, rejects or cancels: what
  // those four routes may do together. Its Powertools idempotency records are table items too
  // (`IDEMPOTENCY#github-webhook`, expiring on the table's TTL attribute). Its secret is its alone.
  "POST /api/github/webhook": {
    table: "readWrite",
    publish: true,
    executions: ["start", "answerGate", "stop"],
    secrets: ["anthropicApiKey", "githubToken", "githubWebhookSecret"],
    openBecause:
      "GitHub sends no bearer token: the handler checks every delivery's X-Hub-Signature-256 with the webhook secret",
  },
};

/**
 * The HTTP API: the shared route table, every route behind the token but the health check and
 * GitHub's webhook.
 */
export function Api({ stack }: StackContext) {
  const { table } = use(Storage);
  const { authorizer, grantSecrets } = use(Auth);
  const { bus } = use(Events);
  const { stateMachine, executionsArn } = use(Workflow);

  const api = new HttpApi(stack, "Api", {
    authorizers: {
      token: {
        type: "lambda",
        function: authorizer,
        responseTypes: ["simple"],
        identitySource: ["$request.header.Authorization"],
        resultsCacheTtl: "5 minutes",
      },
    },
    defaults: {
      authorizer: "token",
      function: {
        ...SIZES.http,
        environment: {
          AMELIA_TABLE_NAME: table.tableName,
          AMELIA_EVENT_BUS_NAME: bus.eventBusName,
          AMELIA_STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        },
      },
    },
    // The web UI is served from another origin; the bearer token, not cookies, authorises.
    cors: {
      allowOrigins: ["*"],
      allowMethods: ["GET", "POST"],
      allowHeaders: ["authorization", "content-type"],
    },
    routes: Object.fromEntries(
      HTTP_ROUTES.map((route) => {
        const key = `${route.method} ${route.path}`;
        const access = ROUTE_ACCESS[key];
        if (!access) throw new Error(`No access defined for route ${key}`);
        if (route.auth === (access.openBecause !== undefined)) {
          throw new Error(
            `Route ${key}: openBecause says why a route has no authorizer, and only then`,
          );
        }
        return [
          key,
          { function: { handler: route.handler }, authorizer: route.auth ? "token" : "none" },
        ];
      }),
    ),
  });

  const grantOnExecutions = (fn: Function, actions: string[]) => {
    fn.attachPermissions([new PolicyStatement({ actions, resources: [executionsArn] })]);
    accept(fn, [
      {
        id: "AwsSolutions-IAM5",
        reason: "Executions are started at run time: any execution of this state machine only",
        appliesTo: [wildcardResource(".*:states:.*:execution:.*:\\*")],
      },
    ]);
  };
  const grantExecution: Record<Execution, (fn: Function) => void> = {
    start: (fn) => stateMachine.grantStartExecution(fn),
    answerGate: (fn) => stateMachine.grantTaskResponse(fn),
    stop: (fn) => grantOnExecutions(fn, ["states:StopExecution"]),
    redrive: (fn) => grantOnExecutions(fn, ["states:DescribeExecution", "states:RedriveExecution"]),
  };
  for (const route of HTTP_ROUTES) {
    const key = `${route.method} ${route.path}`;
    const access = ROUTE_ACCESS[key]!;
    const fn = configureFunction(api.getFunction(key)!);
    grantTable(fn, table, access.table);
    if (access.publish) bus.cdk.eventBus.grantPutEventsTo(fn);
    for (const execution of access.executions ?? []) grantExecution[execution](fn);
    grantSecrets(fn, access.secrets ?? []);
    if (access.openBecause) {
      const deployed = api.node.findAll().find((c) => c instanceof CfnRoute && c.routeKey === key);
      accept(deployed!, [{ id: "AwsSolutions-APIG4", reason: access.openBecause }]);
    }
  }

  stack.addOutputs({ ApiUrl: api.url });
  return { api };
}
