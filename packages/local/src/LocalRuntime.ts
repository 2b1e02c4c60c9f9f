import { chmod, mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  EVENT_FUNCTIONS,
  RECOVERY_FUNCTION,
  TASK_FUNCTIONS,
  type TaskFunction,
} from "@amelia/core/definitions/functions";
import { RULES } from "@amelia/core/definitions/rules";
import { workflowDefinition } from "@amelia/core/definitions/stateMachine";
import type { AwsServiceError } from "./aws/protocol/AwsServiceError";
import { AwsJsonServer } from "./aws/protocol/AwsJsonServer";
import { randomCredentials } from "./aws/protocol/RequestSignatures";
import { CodeBuildEmulator } from "./aws/codebuild/CodeBuildEmulator";
import { EventBridgeEmulator } from "./aws/eventbridge/EventBridgeEmulator";
import { ObjectStore } from "./aws/s3/ObjectStore";
import { S3Emulator } from "./aws/s3/S3Emulator";
import { StepFunctionsEmulator } from "./aws/stepfunctions/StepFunctionsEmulator";
import { bedrockIdentity } from "./bedrockIdentity";
import { LocalDynamo } from "./aws/dynamodb/LocalDynamo";
import { BrowserOrigins, parseOrigin } from "./gateway/BrowserOrigins";
import { HttpGateway } from "./gateway/HttpGateway";
import { sendJson } from "./http/requests";
import { StaticFiles } from "./gateway/StaticFiles";
import { WebSocketGateway } from "./gateway/WebSocketGateway";
import { LocalLambdas } from "./lambda/LocalLambdas";
import type { UsageMeter } from "./metering/UsageMeter";
import { sandboxFor, SandboxUnavailableError, type Sandbox } from "./sandbox/Sandbox";

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
/** The checks' CodeBuild project and S3 bucket, as the local emulators know them. */
const LOCAL_CHECKS = { checksProject: "amelia-checks", checksBucket: "amelia-checks" };
/** The local project's build timeout, as the default (Lambda) compute of the cloud's has it. */
const BUILD_TIMEOUT_MINUTES = 15;

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
   * Origins besides the runtime's own whose pages may use it (AMELIA_ALLOWED_ORIGINS), e.g. the
   * Vite dev server's `http://127.0.0.1:5173`.
   */
  allowedOrigins?: readonly string[];
  /**
   * Counts the billable work the emulated services do (the bench's AWS cost estimate). Off unless
   * given, so that requests carry no metering.
   */
  usage?: UsageMeter;
  /**
   * The settings the functions inherit (ANTHROPIC_API_KEY, AMELIA_MAX_ACTIVE_WORKFLOWS…), as a
   * deployment's configuration would give them; default this process's environment. The
   * runtime's own settings are read from it too: AMELIA_SANDBOX (what runs the checks' builds)
   * and AMELIA_SANDBOX_SETUP_NETWORK=allow (a build's install phase may ask for the network).
   */
  environment?: Readonly<Record<string, string | undefined>>;
}

export interface LocalRuntime {
  url: string;
  /**
   * The functions' `process.env`: those settings plus the emulators' endpoints, the runtime's
   * local credentials and the product's resource names. This process's own is left untouched.
   */
  environment: Readonly<Record<string, string>>;
  /** Cuts every WebSocket connection with no close handshake, as a network failure does. */
  dropWebSockets(): number;
  /** The next `times` calls of a Step Functions, EventBridge or CodeBuild operation fail as in an outage. */
  failNextAwsCall(operation: string, error: AwsServiceError, times?: number): void;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is already in use`);
    this.name = "PortInUseError";
  }
}

/**
 * The whole product on this machine: the handlers of packages/functions (in a worker thread of
 * their own) behind an emulated API Gateway, with DynamoDB, Step Functions, EventBridge,
 * `@connections`, S3 and CodeBuild (its builds in the local sandbox) emulated at their wire
 * protocol, reached through the same AWS_ENDPOINT_URL_* variables as anywhere else. Several can
 * run in one process.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const settings = options.environment ?? process.env;
  const bedrock = bedrockIdentity(settings);
  const host = options.host ?? "127.0.0.1";
  const dataDir = path.resolve(options.dataDir);
  // Private to this user: the event log, executions with their task tokens, the worktrees.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);

  const allowedOrigins = (options.allowedOrigins ?? []).map(parseOrigin);

  // Claim the public port first: a second instance stops here, before touching the data dir.
  let ready: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  const server = createServer((request, response) => {
    if (ready) ready(request, response);
    else sendJson(response, 503, { code: "INTERNAL_ERROR", error: "Starting up" });
  });
  await listen(server, host, options.port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  const origins = new BrowserOrigins(port, allowedOrigins);

  // This run's own credentials, given only to its functions: nothing they do may reach a real
  // AWS account, and nothing else may use the emulators.
  const credentials = randomCredentials();
  const { usage } = options;
  const sandbox = localSandbox(settings.AMELIA_SANDBOX);
  const dynamo = await LocalDynamo.start(path.join(dataDir, "dynamodb"), credentials, usage);
  await dynamo.ensureTable(TABLE_NAME);
  const functionArns = Object.fromEntries(
    Object.keys(TASK_FUNCTIONS).map((name) => [
      name,
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:amelia-${name}`,
    ]),
  ) as Record<TaskFunction, string>;
  const handlerByArn = new Map(
    Object.entries(functionArns).map(([name, arn]) => [arn, TASK_FUNCTIONS[name as TaskFunction]]),
  );
  const lambdas = new LocalLambdas({
    repositoryRoot: REPOSITORY_ROOT,
    environment: () => environment,
    ...(usage && { meter: usage }),
  });
  const websocket = new WebSocketGateway(lambdas, options.apiToken !== undefined, usage);
  const objects = new ObjectStore(path.join(dataDir, "s3"));
  await objects.createBucket(LOCAL_CHECKS.checksBucket);
  const s3 = new S3Emulator({ store: objects, credentials });
  await s3.start();
  const codeBuild = new CodeBuildEmulator({
    project: { name: LOCAL_CHECKS.checksProject, timeoutInMinutes: BUILD_TIMEOUT_MINUTES },
    objects,
    sandbox: sandbox.sandbox,
    directory: path.join(dataDir, "codebuild"),
    setupNetworkAllowed: setupNetworkAllowed(settings.AMELIA_SANDBOX_SETUP_NETWORK),
    region: REGION,
    account: ACCOUNT,
  });
  const stepFunctions = new StepFunctionsEmulator({
    definition: workflowDefinition(functionArns, LOCAL_CHECKS),
    stateMachineArn: STATE_MACHINE_ARN,
    stateDirectory: path.join(dataDir, "executions"),
    legacyStateFile: path.join(dataDir, "executions.json"),
    codeBuild,
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
  const aws = new AwsJsonServer({
    services: [stepFunctions, eventBridge, codeBuild],
    connections: websocket,
    credentials,
  });
  const { endpoint } = await aws.start();

  const environment = functionEnvironment(settings, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_CODEBUILD: endpoint,
    AMELIA_WS_MANAGEMENT_ENDPOINT: endpoint,
    AMELIA_TABLE_NAME: TABLE_NAME,
    AMELIA_EVENT_BUS_NAME: EVENT_BUS_NAME,
    AMELIA_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    AMELIA_CHECKS_PROJECT: LOCAL_CHECKS.checksProject,
    AMELIA_CHECKS_BUCKET: LOCAL_CHECKS.checksBucket,
    // What the builds run in, for the checks' events to say (not a choice the functions make).
    AMELIA_SANDBOX: sandbox.description,
    AMELIA_DATA_DIR: dataDir,
    ...bedrock,
    ...(options.apiToken !== undefined && { AMELIA_API_TOKEN: options.apiToken }),
  });

  // Before any request is served: a restored gate is re-opened before a person can decide on it,
  // and a workflow whose start the last run cut off is started.
  await stepFunctions.restore();
  await lambdas
    .invoke(RECOVERY_FUNCTION, { before: new Date().toISOString() })
    .catch((error: unknown) => console.error("Starting interrupted workflows failed", error));

  const http = new HttpGateway(lambdas, options.apiToken !== undefined);
  const web = new StaticFiles(
    path.resolve(options.webRoot ?? path.join(REPOSITORY_ROOT, "packages/web/dist")),
  );
  ready = (request, response) => {
    const refusal = origins.refusal(request.headers);
    if (refusal) return sendJson(response, 403, { message: refusal });
    const requestUrl = new URL(request.url ?? "/", url);
    const api = requestUrl.pathname.startsWith("/api/");
    if (api) usage?.httpRequest();
    const served = api
      ? http.handle(request, response, requestUrl)
      : web.serve(requestUrl.pathname, response, request.headers.host!);
    served.catch((error: unknown) => {
      console.error("Request failed", error);
      if (!response.headersSent)
        sendJson(response, 500, { code: "INTERNAL_ERROR", error: "Internal server error" });
      else response.end();
    });
  };
  server.on("upgrade", (request, socket, head) => {
    if (origins.refusal(request.headers)) {
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      return;
    }
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

  return {
    url,
    environment,
    dropWebSockets: () => websocket.terminateAll(),
    failNextAwsCall: (operation, error, times) => aws.failNext(operation, error, times),
    async close() {
      await websocket.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await stepFunctions.close();
      // Builds end before the handlers drain: a tool waiting on one sees it end.
      await codeBuild.close();
      await eventBridge.drain();
      // Handlers still running (a $disconnect, an agent) finish before their database goes away.
      await lambdas.drain(SHUTDOWN_GRACE_MS);
      await eventBridge.drain();
      await lambdas.close();
      await aws.close();
      await s3.close();
      await dynamo.close();
    },
  };
}

/**
 * The sandbox for the AMELIA_SANDBOX setting, and how the checks' events describe it: its kind, or
 * `unavailable: <why>` where this machine has none (its builds then fail, saying so). A setting
 * that names no sandbox fails the start.
 */
function localSandbox(setting: string | undefined): { sandbox: Sandbox; description: string } {
  try {
    const sandbox = sandboxFor(setting);
    return { sandbox, description: sandbox.kind };
  } catch (error) {
    if (!(error instanceof SandboxUnavailableError)) throw error;
    const unavailable: Sandbox = { kind: "bubblewrap", run: () => Promise.reject(error) };
    return { sandbox: unavailable, description: `unavailable: ${error.message}` };
  }
}

/** AMELIA_SANDBOX_SETUP_NETWORK: `allow` lets a build's install phase have the network it asks for. */
function setupNetworkAllowed(setting: string | undefined): boolean {
  if (setting === undefined || setting === "") return false;
  if (setting === "allow") return true;
  throw new Error(
    `AMELIA_SANDBOX_SETUP_NETWORK=${setting}: set it to allow, or leave it unset for no network`,
  );
}

/** Settings the functions must not inherit: a session or a profile would lead the SDK to a real account. */
const NOT_INHERITED = ["AWS_SESSION_TOKEN", "AWS_PROFILE", "AMELIA_API_TOKEN"];

/** The settings the functions inherit, less those above, with the runtime's own over them. */
function functionEnvironment(
  settings: Readonly<Record<string, string | undefined>>,
  runtime: Record<string, string>,
): Readonly<Record<string, string>> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) {
    if (value !== undefined && !NOT_INHERITED.includes(name)) environment[name] = value;
  }
  return Object.freeze({ ...environment, ...runtime });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error),
    );
    server.listen(port, host, () => resolve());
  });
}
