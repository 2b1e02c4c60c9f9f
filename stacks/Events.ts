import { Duration } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { WebSocketApi, WebSocketStage } from "aws-cdk-lib/aws-apigatewayv2";
import { WebSocketLambdaAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { EventBus, Function, use, type StackContext } from "sst/constructs";
import { EVENT_FUNCTIONS, type EventFunction } from "@amelia/core/definitions/functions";
import { RULES, type EventPattern } from "@amelia/core/definitions/rules";
import { WEBSOCKET_ROUTE_SELECTION, WEBSOCKET_ROUTES } from "@amelia/core/definitions/routes";
import { tableStatement, type TableAccess } from "./access";
import { SIZES } from "./functionDefaults";
import { logicalId } from "./logicalId";
import { Auth } from "./Auth";
import { Storage } from "./Storage";

/** What each WebSocket route does with the table and the bus (ping and $default: nothing). */
const ROUTE_ACCESS: Record<string, { table?: TableAccess; publish?: true }> = {
  $connect: { table: "readWrite" },
  $disconnect: { table: "readWrite" },
  subscribe: { table: "readWrite", publish: true },
  unsubscribe: { table: "readWrite" },
  ping: {},
  $default: {},
};

/** The event bus, its rules, and the WebSocket API whose clients the broadcaster serves. */
export function Events({ stack, app }: StackContext) {
  const { table } = use(Storage);
  const { authorizer } = use(Auth);

  const bus = new EventBus(stack, "Bus");
  const environment = {
    AMELIA_TABLE_NAME: table.tableName,
    AMELIA_EVENT_BUS_NAME: bus.eventBusName,
  };

  // CDK's WebSocket API rather than SST's, which lets every route function post to
  // connections: here only the broadcaster may.
  const webSocket = new WebSocketApi(stack, "WebSocket", {
    routeSelectionExpression: WEBSOCKET_ROUTE_SELECTION,
  });
  const webSocketStage = new WebSocketStage(stack, "WebSocketStage", {
    webSocketApi: webSocket,
    stageName: app.stage,
    autoDeploy: true,
  });
  const connectAuthorizer = new WebSocketLambdaAuthorizer("Token", authorizer, {
    identitySource: ["route.request.querystring.token"],
  });
  for (const route of WEBSOCKET_ROUTES) {
    const access = ROUTE_ACCESS[route.routeKey];
    if (!access) throw new Error(`No access defined for WebSocket route ${route.routeKey}`);
    const fn = new Function(stack, `WebSocket${logicalId(route.routeKey)}`, {
      handler: route.handler,
      ...SIZES.http,
      environment,
    });
    if (access.table) fn.attachPermissions([tableStatement(table, access.table)]);
    if (access.publish) bus.cdk.eventBus.grantPutEventsTo(fn);
    webSocket.addRoute(route.routeKey, {
      integration: new WebSocketLambdaIntegration(`${route.routeKey}Integration`, fn),
      returnResponse: route.replies,
      ...(route.routeKey === "$connect" && { authorizer: connectAuthorizer }),
    });
  }

  const broadcaster = new Function(stack, "Broadcaster", {
    handler: EVENT_FUNCTIONS.broadcaster,
    ...SIZES.broadcaster,
    environment: {
      ...environment,
      AMELIA_WS_MANAGEMENT_ENDPOINT:
        process.env.AMELIA_WS_MANAGEMENT_ENDPOINT ?? webSocketStage.callbackUrl,
    },
  });
  broadcaster.attachPermissions([tableStatement(table, "readDelete")]);
  webSocketStage.grantManagementApiAccess(broadcaster);

  // Events EventBridge could not deliver after its retries wait here instead of being lost.
  const deadLetters = new Queue(stack, "DeadLetters", {
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
  });
  const targetFunctions: Record<EventFunction, Function> = { broadcaster };
  bus.addRules(
    stack,
    Object.fromEntries(
      RULES.map((rule) => [
        rule.name,
        {
          pattern: ruleFilter(rule.pattern),
          targets: Object.fromEntries(
            rule.targets.map((name) => [
              name,
              {
                cdk: {
                  function: targetFunctions[name],
                  target: {
                    deadLetterQueue: deadLetters,
                    retryAttempts: 8,
                    maxEventAge: Duration.hours(2),
                  },
                },
              },
            ]),
          ),
        },
      ]),
    ),
  );

  stack.addOutputs({ WebSocketUrl: webSocketStage.url });
  return { bus, webSocketUrl: webSocketStage.url, deadLetters };
}

/** The shared pattern in SST's spelling; a field SST cannot express is refused, not dropped. */
function ruleFilter({ source, "detail-type": detailType, detail, ...rest }: EventPattern) {
  if (Object.keys(rest).length > 0 || !Array.isArray(source) || !Array.isArray(detailType)) {
    throw new Error(`Unsupported event pattern: ${JSON.stringify({ source, detailType, rest })}`);
  }
  return { source, detailType, ...(detail && { detail: detail as Record<string, unknown> }) };
}
