import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsServiceError } from "./AwsServiceError";
import { BodyTooLargeError, readBody } from "../../http/requests";
import type { ConnectionRegistry } from "../apigatewaymanagementapi/ConnectionRegistry";
import {
  connectionIdOf,
  sendRestError,
  serveConnectionsRequest,
} from "../apigatewaymanagementapi/connectionsApi";
import type { JsonService } from "./JsonService";
import { LoopbackEndpoint } from "./loopback";
import { consoleLog, type EmulatorLog } from "../../log";
import {
  RequestSignatures,
  SignatureRefusedError,
  type LocalCredentials,
} from "./RequestSignatures";

export interface AwsJsonServerOptions {
  /** JSON-protocol services, chosen by the `x-amz-target` prefix (`AWSStepFunctions.`, `AWSEvents.`). */
  services: readonly JsonService[];
  /** Serves `/@connections/{id}` when given. */
  connections?: ConnectionRegistry;
  /** The only credentials whose signatures it accepts. */
  credentials: LocalCredentials;
  /** 0 (the default) picks a free port, on the loopback interface. */
  port?: number;
  maxBodyBytes?: number;
  log?: EmulatorLog;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * One local HTTP endpoint for the emulated AWS APIs, at their wire protocol: point the SDK at it
 * with `AWS_ENDPOINT_URL_SFN`, `AWS_ENDPOINT_URL_EVENTBRIDGE`, or as the API Gateway Management
 * API's `endpoint`. Every request must be signed (SigV4) with the runtime's credentials; it answers
 * no CORS, so no browser page can read it.
 */
export class AwsJsonServer extends LoopbackEndpoint {
  private readonly signatures: RequestSignatures;
  private readonly faults = new Map<string, { error: AwsServiceError; times: number }>();

  constructor(private readonly options: AwsJsonServerOptions) {
    super(options.port);
    this.signatures = new RequestSignatures(options.credentials);
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    this.serve(request, response).catch((error: unknown) => {
      this.report("AWS emulator request failed", { url: request.url, error });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  }

  /**
   * Answers the next `times` calls of `operation` (e.g. "SendTaskSuccess") with `error`, as the
   * real service does during an outage: how tests reach a handler's failure path at the wire.
   */
  failNext(operation: string, error: AwsServiceError, times = 1): void {
    this.faults.set(operation, { error, times });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(request, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      response.writeHead(413, { "content-type": "application/json" });
      response.end(JSON.stringify({ message: "Request body too large" }));
      return;
    }
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const connectionId = connectionIdOf(pathname);
    const target = request.headers["x-amz-target"];
    try {
      await this.signatures.verify(request, body);
    } catch (error) {
      if (!(error instanceof SignatureRefusedError)) throw error;
      if (connectionId !== undefined)
        return sendRestError(response, 403, error.type, error.message);
      // JSON-protocol services answer 400 with the error type, as DynamoDB and Step Functions do.
      response.writeHead(400, {
        "content-type": `application/x-amz-json-${this.serviceFor(target)?.jsonVersion ?? "1.0"}`,
      });
      response.end(
        JSON.stringify({
          __type: `com.amazon.coral.service#${error.type}`,
          message: error.message,
        }),
      );
      return;
    }
    if (connectionId !== undefined && this.options.connections) {
      serveConnectionsRequest(this.options.connections, connectionId, request, body, response);
      return;
    }
    if (request.method === "POST" && typeof target === "string") {
      await this.serveJson(target, body, response);
      return;
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end(
      JSON.stringify({ message: `No emulated AWS API at ${request.method} ${pathname}` }),
    );
  }

  private async serveJson(target: string, body: Buffer, response: ServerResponse): Promise<void> {
    const dot = target.lastIndexOf(".");
    const service = this.serviceFor(target);
    const contentType = `application/x-amz-json-${service?.jsonVersion ?? "1.0"}`;
    const reply = (status: number, payload: unknown) =>
      response.writeHead(status, { "content-type": contentType }).end(JSON.stringify(payload));
    try {
      if (!service)
        throw new AwsServiceError("UnknownOperationException", `Unknown target ${target}`);
      const operation = target.slice(dot + 1);
      const fault = this.faults.get(operation);
      if (fault && fault.times-- > 0) throw fault.error;
      const output = await service.handle(operation, parseRequest(body));
      reply(200, output ?? {});
    } catch (error) {
      if (error instanceof AwsServiceError) {
        reply(error.status, { __type: error.type, message: error.message });
        return;
      }
      this.report("AWS emulator operation failed", { target, error });
      reply(500, { __type: "InternalFailure", message: "The emulator failed unexpectedly" });
    }
  }

  private serviceFor(target: string | string[] | undefined): JsonService | undefined {
    if (typeof target !== "string") return undefined;
    const prefix = target.slice(0, target.lastIndexOf("."));
    return this.options.services.find((service) => service.targetPrefix === prefix);
  }

  private report(message: string, details: Record<string, unknown>): void {
    (this.options.log ?? consoleLog)(message, details);
  }
}

function parseRequest(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsServiceError("SerializationException", "The request body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AwsServiceError("SerializationException", "The request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}
