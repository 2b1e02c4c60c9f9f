import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import dynalite from "dynalite";
import { createTableInput } from "../../src/store/table";

export interface TestTable {
  client: DynamoDBClient;
  document: DynamoDBDocumentClient;
  tableName: string;
  /** A fresh client to the same table, as another process (another Lambda) would have. */
  newClient(): DynamoDBClient;
  close(): Promise<void>;
}

/** A real DynamoDB wire endpoint (dynalite, in memory) with the product's table. */
export async function startTestTable(tableName = "amelia-test"): Promise<TestTable> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const newClient = () =>
    new DynamoDBClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  const client = newClient();
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  return {
    client,
    document: DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName,
    newClient,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
