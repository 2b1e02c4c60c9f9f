import { Duration, type CfnResource, type Stack } from "aws-cdk-lib";
import { CfnAccount } from "aws-cdk-lib/aws-apigateway";
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from "aws-cdk-lib/aws-apigatewayv2";
import { WebSocketLambdaAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { ManagedPolicy, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { EventBus, Function, use, type StackContext } from "sst/constructs";
import { EVENT_FUNCTIONS, type EventFunction } from "@amelia/core/definitions/functions";
import { RULES, type EventPattern } from "@amelia/core/definitions/rules";
import { WEBSOCKET_ROUTE_SELECTION, WEBSOCKET_ROUTES } from "@amelia/core/definitions/routes";
import { grantTable, type TableAccess } from "./access";
import { alarmedDeadLetterQueue } from "./alarms";
import { configureFunction, SIZES } from "./functionDefaults";
import { logicalId } from "./logicalId";
import { retainedLogGroup } from "./logs";
import { accept, wildcardResource } from "./nag";
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
  const { authorizer, grantSecrets } = use(Auth);

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
    accessLogSettings: {
      destination: new LogGroupLogDestination(retainedLogGroup(stack, "WebSocketAccessLogs")),
    },
  });
  webSocketStage.node.addDependency(apiGatewayLogging(stack));
  const connectAuthorizer = new WebSocketLambdaAuthorizer("Token", authorizer, {
    identitySource: ["route.request.querystring.token"],
  });
  for (const route of WEBSOCKET_ROUTES) {
    const access = ROUTE_ACCESS[route.routeKey];
    if (!access) throw new Error(`No access defined for WebSocket route ${route.routeKey}`);
    const fn = configureFunction(
      new Function(stack, `WebSocket${logicalId(route.routeKey)}`, {
        handler: route.handler,
        ...SIZES.http,
        environment,
      }),
    );
    if (access.table) grantTable(fn, table, access.table);
    if (access.publish) bus.cdk.eventBus.grantPutEventsTo(fn);
    const connect = route.routeKey === "$connect";
    const deployed = webSocket.addRoute(route.routeKey, {
      integration: new WebSocketLambdaIntegration(`${route.routeKey}Integration`, fn),
      returnResponse: route.replies,
      ...(connect && { authorizer: connectAuthorizer }),
    });
    if (!connect) {
      accept(deployed, [
        {
          id: "AwsSolutions-APIG4",
          reason:
            "API Gateway authorizes a WebSocket at $connect only; this route runs on a connection $connect let in",
        },
      ]);
    }
  }

  const broadcaster = configureFunction(
    new Function(stack, "Broadcaster", {
      handler: EVENT_FUNCTIONS.broadcaster,
      ...SIZES.broadcaster,
      environment: {
        ...environment,
        AMELIA_WS_MANAGEMENT_ENDPOINT:
          process.env.AMELIA_WS_MANAGEMENT_ENDPOINT ?? webSocketStage.callbackUrl,
      },
    }),
  );
  grantTable(broadcaster, table, "readDelete");
  webSocketStage.grantManagementApiAccess(broadcaster);
  accept(broadcaster, [
    {
      id: "AwsSolutions-IAM5",
      reason: "Connections are made at run time: it may post to any connection of this stage only",
      appliesTo: [wildcardResource(".*:execute-api:.*/@connections/\\*")],
    },
  ]);
  const failedBroadcasts = alarmedDeadLetterQueue(
    stack,
    "FailedBroadcasts",
    "events the broadcaster failed on after Lambda's retries",
  );
  retryThenQueue(broadcaster, failedBroadcasts);

  // Edits the status comment of a workflow started from GitHub: it reads the workflow and its
  // events and keeps its own item (the comment's id) up to date; it never deletes.
  const githubStatus = configureFunction(
    new Function(stack, logicalId("githubStatus"), {
      handler: EVENT_FUNCTIONS.githubStatus,
      ...SIZES.step,
      environment,
    }),
  );
  grantTable(githubStatus, table, "readWriteNoDelete");
  grantSecrets(githubStatus, ["githubToken"]);
  const failedStatusReports = alarmedDeadLetterQueue(
    stack,
    "FailedStatusReports",
    "events the GitHub status reporter failed on after Lambda's retries",
  );
  retryThenQueue(githubStatus, failedStatusReports);

  const deadLetters = alarmedDeadLetterQueue(
    stack,
    "DeadLetters",
    "events EventBridge could not deliver after its retries",
  );
  const targetFunctions: Record<EventFunction, Function> = { broadcaster, githubStatus };
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
  return { bus, webSocketUrl: webSocketStage.url, deadLetters, failedBroadcasts };
}

/**
 * EventBridge invokes a rule's function asynchronously: Lambda retries a failed invocation twice,
 * then sends the event to `failures` rather than dropping it (the rule's dead-letter queue only
 * catches events EventBridge could not deliver).
 */
function retryThenQueue(fn: Function, failures: Queue): void {
  fn.configureAsyncInvoke({
    onFailure: new SqsDestination(failures),
    retryAttempts: 2,
    maxEventAge: Duration.hours(2),
  });
}

/**
 * WebSocket access logs need API Gateway's CloudWatch role, an account-wide setting of the
 * region. Each stage sets it to a role of its own, kept when the stage is removed so that no
 * other API is left pointing at a deleted role.
 */
function apiGatewayLogging(stack: Stack): CfnAccount {
  const role = new Role(stack, "ApiGatewayLogsRole", {
    assumedBy: new ServicePrincipal("apigateway.amazonaws.com"),
    managedPolicies: [
      ManagedPolicy.fromAwsManagedPolicyName("service-role/AmazonAPIGatewayPushToCloudWatchLogs"),
    ],
  });
  accept(role, [
    {
      id: "AwsSolutions-IAM4",
      reason:
        "AWS's own policy for API Gateway's logging role, which serves every API of the region",
    },
  ]);
  const account = new CfnAccount(stack, "ApiGatewayAccount", { cloudWatchRoleArn: role.roleArn });
  // Raw overrides: SST applies the app's removal policy to every resource of a personal stage.
  for (const resource of [role.node.defaultChild as CfnResource, account]) {
    resource.addOverride("DeletionPolicy", "Retain");
    resource.addOverride("UpdateReplacePolicy", "Retain");
  }
  return account;
}

/** The shared pattern in SST's spelling; a field SST cannot express is refused, not dropped. */
function ruleFilter({ source, "detail-type": detailType, detail, ...rest }: EventPattern) {
  if (Object.keys(rest).length > 0 || !Array.isArray(source) || !Array.isArray(detailType)) {
    throw new Error(`Unsupported event pattern: ${JSON.stringify({ source, detailType, rest })}`);
  }
  return { source, detailType, ...(detail && { detail: detail as Record<string, unknown> }) };
}
