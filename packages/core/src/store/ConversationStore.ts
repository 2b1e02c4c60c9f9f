import { gunzipSync, gzipSync } from "node:zlib";
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { ConversationStage, Conversations } from "../agents/stages";
import { ItemParts } from "./ItemParts";
import { keys } from "./table";

/** A conversation nobody continues (an abandoned workflow) goes away by itself. */
const TTL_SECONDS = 30 * 24 * 60 * 60;

interface Head {
  version: number;
  chunks: number;
}

/**
 * An agent's conversation between Lambda invocations (the developer's, and the architect's or
 * reviewer's stopped at the budget gate), one per workflow, round and stage: gzipped
 * JSON in part items under a head item that names the current version. A save writes the new
 * parts before it moves the head, so a reader never sees half a conversation.
 */
export class ConversationStore implements Conversations {
  private readonly parts: ItemParts;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.parts = new ItemParts(db, tableName);
  }

  async load(workflowId: string, round: number, stage?: ConversationStage): Promise<unknown> {
    const head = await this.head(workflowId, round, stage);
    if (!head) return undefined;
    const pk = keys.workflow(workflowId);
    const bytes = await this.parts.read(pk, chunkPrefix(round, head.version, stage), head.chunks);
    return JSON.parse(gunzipSync(bytes).toString("utf8")) as unknown;
  }

  async save(
    workflowId: string,
    round: number,
    state: unknown,
    stage?: ConversationStage,
  ): Promise<void> {
    const previous = await this.head(workflowId, round, stage);
    const version = (previous?.version ?? 0) + 1;
    const expiresAt = Math.floor(Date.now() / 1000) + TTL_SECONDS;
    const chunks = await this.parts.put(
      keys.workflow(workflowId),
      chunkPrefix(round, version, stage),
      gzipSync(JSON.stringify(state)),
      { expiresAt },
    );
    await this.put({
      pk: keys.workflow(workflowId),
      sk: keys.conversation(round, stage),
      version,
      chunks,
      expiresAt,
    });
    if (previous) await this.deleteChunks(workflowId, round, previous, stage);
  }

  async clear(workflowId: string, round: number, stage?: ConversationStage): Promise<void> {
    const head = await this.head(workflowId, round, stage);
    if (!head) return;
    await this.delete(workflowId, keys.conversation(round, stage));
    await this.deleteChunks(workflowId, round, head, stage);
  }

  private async head(
    workflowId: string,
    round: number,
    stage: ConversationStage | undefined,
  ): Promise<Head | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.workflow(workflowId), sk: keys.conversation(round, stage) },
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    return item ? { version: Number(item.version), chunks: Number(item.chunks) } : undefined;
  }

  private deleteChunks(
    workflowId: string,
    round: number,
    head: Head,
    stage: ConversationStage | undefined,
  ): Promise<void> {
    return this.parts.delete(
      keys.workflow(workflowId),
      chunkPrefix(round, head.version, stage),
      head.chunks,
    );
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  private async delete(workflowId: string, sk: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: keys.workflow(workflowId), sk } }),
    );
  }
}

function chunkPrefix(round: number, version: number, stage?: ConversationStage): string {
  return `${keys.conversation(round, stage)}#${String(version).padStart(6, "0")}#`;
}
