import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { createTableInput, TABLE_SCHEMA } from "@amelia/core/store/table";
import type { UsageMeter } from "../../metering/UsageMeter";

const INDEX_KEYS = TABLE_SCHEMA.indexes.map((index) => index.partitionKey);

/** Sizes the request and its response for the meter, without touching what dynalite sees. */
function meterRequest(meter: UsageMeter, request: IncomingMessage, response: ServerResponse) {
  const operation = String(request.headers["x-amz-target"] ?? "").split(".")[1] ?? "Unknown";
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

function byteLength(chunk: unknown): number {
  if (typeof chunk === "string") return Buffer.byteLength(chunk);
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/** DynamoDB for the local runtime: dynalite, persisted on disk, speaking the real wire protocol. */
export class LocalDynamo {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(directory: string, meter?: UsageMeter): Promise<LocalDynamo> {
    const server = dynalite({
      path: directory,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    if (meter) {
      server.prependListener("request", (request, response) =>
        meterRequest(meter, request, response),
      );
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new LocalDynamo(server, `http://127.0.0.1:${port}`);
  }

  /** Creates the product's table on first start; later starts find it on disk. */
  async ensureTable(
    tableName: string,
    config: { region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  ): Promise<void> {
    const client = new DynamoDBClient({ ...config, endpoint: this.endpoint });
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    } finally {
      client.destroy();
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
