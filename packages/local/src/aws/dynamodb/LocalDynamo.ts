import { mkdir, mkdtemp, rm } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import dynalite from "dynalite";
import { createTableInput, TABLE_SCHEMA } from "@amelia/core/store/table";
import { BodyTooLargeError, readBody } from "../../http/requests";
import type { UsageMeter } from "../../metering/UsageMeter";
import { putsOversizedItem } from "./itemSize";
import {
  isConditionFailure,
  keyOf,
  oldItemRequest,
  type OldItemRequest,
} from "./oldItemOnConditionFailure";
import {
  RequestSignatures,
  SignatureRefusedError,
  type LocalCredentials,
} from "../protocol/RequestSignatures";

const INDEX_KEYS = TABLE_SCHEMA.indexes.map((index) => index.partitionKey);
/** DynamoDB's limit for one request. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const JSON_CONTENT_TYPE = "application/x-amz-json-1.0";
const SOCKET_NAME = "dynalite.sock";

/** Sizes the request and its response for the meter, without touching what dynalite sees. */
function meterRequest(meter: UsageMeter, request: IncomingMessage, response: ServerResponse) {
  const operation = operationOf(request);
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  let responseBytes = 0;
  // dynalite answers with one `end(body)`.
  const end = response.end.bind(response) as (chunk?: unknown, ...rest: unknown[]) => unknown;
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    responseBytes += byteLength(chunk);
    return end(chunk, ...rest);
  }) as typeof response.end;
  response.once("finish", () =>
    meter.dynamo(operation, Buffer.concat(chunks).toString("utf8"), responseBytes, INDEX_KEYS),
  );
}

/** The DynamoDB operation a request calls: `PutItem` of `x-amz-target: DynamoDB_20120810.PutItem`. */
function operationOf(request: IncomingMessage): string {
  return String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "Unknown";
}

function byteLength(chunk: unknown): number {
  if (typeof chunk === "string") return Buffer.byteLength(chunk);
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/**
 * DynamoDB for the local runtime: dynalite, persisted on disk, speaking the real wire protocol.
 * dynalite itself checks no signature and answers any Origin with CORS `*`, so it listens only on a
 * socket in a private directory, behind a loopback endpoint that lets through only requests signed
 * with the runtime's credentials, drops dynalite's CORS headers, and refuses items over 400 KB
 * counted in UTF-8 bytes, as DynamoDB does (dynalite counts characters).
 */
export class LocalDynamo {
  private constructor(
    private readonly database: Server,
    private readonly front: Server,
    private readonly socketDirectory: string,
    readonly endpoint: string,
  ) {}

  static async start(
    directory: string,
    credentials: LocalCredentials,
    meter?: UsageMeter,
  ): Promise<LocalDynamo> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const database = dynalite({
      path: directory,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    if (meter) {
      database.prependListener("request", (request, response) =>
        meterRequest(meter, request, response),
      );
    }
    // mkdtemp makes it 0700: only this user can reach the socket. A short path, as sockets need.
    const socketDirectory = await mkdtemp(path.join(tmpdir(), "amelia-dynalite-"));
    const socketPath = path.join(socketDirectory, SOCKET_NAME);
    await listen(database, socketPath);

    const signatures = new RequestSignatures(credentials);
    const front = createServer((request, response) => {
      forward(socketPath, signatures, request, response).catch((error: unknown) => {
        console.error("DynamoDB emulator request failed", error);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    await listen(front, { port: 0, host: "127.0.0.1" });
    const { port } = front.address() as AddressInfo;
    return new LocalDynamo(database, front, socketDirectory, `http://127.0.0.1:${port}`);
  }

  /**
   * Creates the product's table on first start; later starts find it on disk. Sent to dynalite
   * directly, as the emulator's own set-up (dynalite wants a well-formed, not a valid, signature).
   */
  async ensureTable(tableName: string): Promise<void> {
    const answer = await toDatabase(
      path.join(this.socketDirectory, SOCKET_NAME),
      {
        "content-type": JSON_CONTENT_TYPE,
        "x-amz-target": "DynamoDB_20120810.CreateTable",
        "x-amz-date": "20000101T000000Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=emulator/20000101/local/dynamodb/aws4_request, " +
          "SignedHeaders=host, Signature=0",
      },
      Buffer.from(JSON.stringify(createTableInput(tableName))),
    );
    const body = await readBody(answer, MAX_REQUEST_BYTES);
    if (answer.statusCode === 200) return;
    const type = (JSON.parse(body.toString("utf8")) as { __type?: string }).__type ?? "";
    if (!type.endsWith("#ResourceInUseException")) {
      throw new Error(`dynalite could not create ${tableName}: ${body.toString("utf8")}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.front, this.database].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    await rm(this.socketDirectory, { recursive: true, force: true });
  }
}

/** Lets through to dynalite only requests signed with the runtime's credentials, minus its CORS. */
async function forward(
  socketPath: string,
  signatures: RequestSignatures,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(request, MAX_REQUEST_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return sendError(response, 413, "RequestEntityTooLarge", "Request entity too large");
  }
  try {
    await signatures.verify(request, body);
  } catch (error) {
    if (!(error instanceof SignatureRefusedError)) throw error;
    return sendError(response, 400, `com.amazon.coral.service#${error.type}`, error.message);
  }
  if (putsOversizedItem(operationOf(request), body)) {
    return sendError(
      response,
      400,
      "com.amazon.coral.validate#ValidationException",
      "Item size has exceeded the maximum allowed size",
    );
  }
  const answer = await toDatabase(socketPath, request.headers, body, request.method, request.url);
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => !name.startsWith("access-control-")),
  );
  const wantsOldItem = oldItemRequest(operationOf(request), body);
  if (wantsOldItem && answer.statusCode === 400) {
    const failure = JSON.parse((await readAnswer(answer)).toString("utf8")) as Record<
      string,
      unknown
    >;
    if (isConditionFailure(answer.statusCode, failure)) {
      const item = await currentItem(socketPath, request.headers, wantsOldItem);
      if (item) failure.Item = item;
    }
    const text = JSON.stringify(failure);
    // The body changed: its length and checksum are no longer dynalite's.
    delete headers["x-amz-crc32"];
    response.writeHead(400, { ...headers, "content-length": String(Buffer.byteLength(text)) });
    response.end(text);
    return;
  }
  response.writeHead(answer.statusCode ?? 500, headers);
  answer.pipe(response);
}

/** The item a failed conditional write met, read as DynamoDB returns it with the failure. */
async function currentItem(
  socketPath: string,
  headers: IncomingMessage["headers"],
  request: OldItemRequest,
): Promise<unknown> {
  const call = async (operation: string, input: unknown) => {
    const body = Buffer.from(JSON.stringify(input));
    const answer = await toDatabase(
      socketPath,
      {
        ...headers,
        "x-amz-target": `DynamoDB_20120810.${operation}`,
        "content-length": String(body.length),
      },
      body,
    );
    return JSON.parse((await readAnswer(answer)).toString("utf8")) as Record<string, unknown>;
  };
  const described = await call("DescribeTable", { TableName: request.tableName });
  const schema = (described.Table as { KeySchema?: { AttributeName: string }[] } | undefined)
    ?.KeySchema;
  const key = keyOf(
    request,
    (schema ?? []).map((part) => part.AttributeName),
  );
  if (!key) return undefined;
  const got = await call("GetItem", {
    TableName: request.tableName,
    Key: key,
    ConsistentRead: true,
  });
  return got.Item;
}

function toDatabase(
  socketPath: string,
  headers: IncomingMessage["headers"],
  body: Buffer,
  method = "POST",
  url = "/",
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ socketPath, method, path: url, headers }, resolve);
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** Reads a whole answer of dynalite's. */
async function readAnswer(answer: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendError(response: ServerResponse, status: number, type: string, message: string) {
  response.writeHead(status, { "content-type": JSON_CONTENT_TYPE });
  response.end(JSON.stringify({ __type: type, message }));
}

function listen(server: Server, address: string | { port: number; host: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (typeof address === "string") server.listen(address, done);
    else server.listen(address.port, address.host, done);
  });
}
