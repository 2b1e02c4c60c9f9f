import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { createTableInput } from "@amelia/core/store/table";

/** DynamoDB for the local runtime: dynalite, persisted on disk, speaking the real wire protocol. */
export class LocalDynamo {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(directory: string): Promise<LocalDynamo> {
    const server = dynalite({
      path: directory,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new LocalDynamo(server, `http://127.0.0.1:${port}`);
  }

  /** Creates the product's table on first start; later starts find it on disk. */
  async ensureTable(tableName: string): Promise<void> {
    const client = new DynamoDBClient({ endpoint: this.endpoint });
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
