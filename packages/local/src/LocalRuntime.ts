import { mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  EVENT_FUNCTIONS,
  TASK_FUNCTIONS,
  type TaskFunction,
} from "@amelia/core/definitions/functions";
import { RULES } from "@amelia/core/definitions/rules";
import { workflowDefinition } from "@amelia/core/definitions/stateMachine";
import { AwsJsonServer } from "./aws/AwsJsonServer";
import { EventBridgeEmulator } from "./aws/EventBridgeEmulator";
import { StepFunctionsEmulator } from "./aws/StepFunctionsEmulator";
import { LocalDynamo } from "./dynamo/LocalDynamo";
import { HttpGateway } from "./gateway/HttpGateway";
import { sendJson } from "./http/requests";
import { StaticFiles } from "./gateway/StaticFiles";
import { WebSocketGateway } from "./gateway/WebSocketGateway";
import { LocalLambdas } from "./lambda/LocalLambdas";
import type { UsageMeter } from "./metering/UsageMeter";

export const REPOSITORY_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../..",
);

const REGION = "us-east-1";
const ACCOUNT = "000000000000";
const TABLE_NAME = "amelia";
const EVENT_BUS_NAME = "amelia";
const SHUTDOWN_GRACE_MS = 10_000;
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:amelia-workflow`;

export interface LocalRuntimeOptions {
  host?: string;
  port: number;
  dataDir: string;
  apiToken?: string;
  /** Milliseconds between Step Functions retries instead of the definition's backoff (tests). */
  retryIntervalMs?: number;
  /** Where the built web UI is (default packages/web/dist, which `npm start` builds). */
  webRoot?: string;
  /**
   * Counts the billable work the emulated services do (the bench's AWS cost estimate). Off unless
   * given, so that requests carry no metering.
   */
  usage?: UsageMeter;
}

export interface LocalRuntime {
  url: string;
  /** Cuts every WebSocket connection with no close handshake, as a network failure does. */
  dropWebSockets(): number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is already in use`);
    this.name = "PortInUseError";
  }
}

/**
 * One process that runs the whole product: the handlers of packages/functions behind an
 * emulated API Gateway, with DynamoDB, Step Functions, EventBridge and `@connections` emulated at
 * their wire protocol, reached through the same AWS_ENDPOINT_URL_* variables as anywhere else.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const host = options.host ?? "127.0.0.1";
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });

  // Claim the public port first: a second instance stops here, before touching the data dir.
  let ready: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    if (ready) ready(request, response);
    else sendJson(response, 503, { code: "INTERNAL_ERROR", error: "Starting up" });
  });
  await listen(server, host, options.port);
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;

  // Local credentials only: nothing in this process may reach a real AWS account.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  const { usage } = options;
  const dynamo = await LocalDynamo.start(path.join(dataDir, "dynamodb"), usage);
  await dynamo.ensureTable(TABLE_NAME);

  const lambdas = new LocalLambdas(REPOSITORY_ROOT, usage);
  const functionArns = Object.fromEntries(
    Object.keys(TASK_FUNCTIONS).map((name) => [
      name,
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:amelia-${name}`,
    ]),
  ) as Record<TaskFunction, string>;
  const handlerByArn = new Map(
    Object.entries(functionArns).map(([name, arn]) => [arn, TASK_FUNCTIONS[name as TaskFunction]]),
  );
  const websocket = new WebSocketGateway(lambdas, options.apiToken !== undefined, usage);
  const stepFunctions = new StepFunctionsEmulator({
    definition: workflowDefinition(functionArns),
    stateMachineArn: STATE_MACHINE_ARN,
    stateFile: path.join(dataDir, "executions.json"),
    ...(usage && { onStateEntered: () => usage.stateTransition() }),
    invokeFunction: (functionName, payload) => {
      const handler = handlerByArn.get(functionName);
      if (!handler) throw new Error(`No local function ${functionName}`);
      return lambdas.invoke(handler, payload);
    },
    ...(options.retryIntervalMs !== undefined && {
      retryIntervalOverride: options.retryIntervalMs,
    }),
  });
  const eventBridge = new EventBridgeEmulator({
    rules: RULES,
    eventBusName: EVENT_BUS_NAME,
    deadLetterFile: path.join(dataDir, "eventbridge-dead-letters.jsonl"),
    ...(usage && { onEventAccepted: () => usage.eventBridgeEvent() }),
    invokeFunction: (target, event) =>
      lambdas.invoke(EVENT_FUNCTIONS[target as keyof typeof EVENT_FUNCTIONS], event),
  });
  const aws = new AwsJsonServer({ services: [stepFunctions, eventBridge], connections: websocket });
  const { endpoint } = await aws.start();

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
    AMELIA_WS_MANAGEMENT_ENDPOINT: endpoint,
    AMELIA_TABLE_NAME: TABLE_NAME,
    AMELIA_EVENT_BUS_NAME: EVENT_BUS_NAME,
    AMELIA_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    AMELIA_DATA_DIR: dataDir,
  });
  if (options.apiToken !== undefined) process.env.AMELIA_API_TOKEN = options.apiToken;
  else delete process.env.AMELIA_API_TOKEN;

  const http = new HttpGateway(lambdas, options.apiToken !== undefined);
  const web = new StaticFiles(
    path.resolve(options.webRoot ?? path.join(REPOSITORY_ROOT, "packages/web/dist")),
  );
  ready = (request, response) => {
    const requestUrl = new URL(request.url ?? "/", url);
    const api = requestUrl.pathname.startsWith("/api/");
    if (api) usage?.httpRequest();
    const served = api
      ? http.handle(request, response, requestUrl)
      : web.serve(requestUrl.pathname, response);
    served.catch((error: unknown) => {
      console.error("Request failed", error);
      if (!response.headersSent)
        sendJson(response, 500, { code: "INTERNAL_ERROR", error: "Internal server error" });
      else response.end();
    });
  };
  server.on("upgrade", (request, socket, head) => {
    const requestUrl = new URL(request.url ?? "/", url);
    if (requestUrl.pathname !== "/ws") {
      socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    websocket.upgrade(request, socket, head, requestUrl).catch((error: unknown) => {
      console.error("WebSocket upgrade failed", error);
      socket.destroy();
    });
  });

  stepFunctions.restore();

  return {
    url,
    dropWebSockets: () => websocket.terminateAll(),
    async close() {
      await websocket.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await stepFunctions.close();
      await eventBridge.drain();
      // Handlers still running (a $disconnect, an agent) finish before their database goes away.
      await lambdas.drain(SHUTDOWN_GRACE_MS);
      await eventBridge.drain();
      await aws.close();
      await dynamo.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error),
    );
    server.listen(port, host, () => resolve());
  });
}
