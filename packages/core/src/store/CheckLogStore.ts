import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ItemParts } from "./ItemParts";
import { keys } from "./table";

/**
 * The whole log of each check a run made (up to 1 MiB each), kept with the workflow: its events
 * quote only the end. A head item names how many parts hold it, written after them.
 */
export class CheckLogStore {
  private readonly parts: ItemParts;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.parts = new ItemParts(db, tableName);
  }

  async save(workflowId: string, runId: string, index: number, log: Uint8Array): Promise<void> {
    const pk = keys.workflow(workflowId);
    const head = keys.checkLog(runId, index);
    const parts = log.length > 0 ? await this.parts.put(pk, `${head}#`, log) : 0;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk, sk: head, parts, bytes: log.length },
      }),
    );
  }

  /** The log, or undefined when there is none (no such run or check). */
  async read(workflowId: string, runId: string, index: number): Promise<Buffer | undefined> {
    const pk = keys.workflow(workflowId);
    const head = keys.checkLog(runId, index);
    const item = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk: head }, ConsistentRead: true }),
    );
    if (!item.Item) return undefined;
    if (Number(item.Item.parts) === 0) return Buffer.alloc(0);
    return this.parts.read(pk, `${head}#`, Number(item.Item.parts));
  }
}
