import { gunzipSync, gzipSync } from "node:zlib";
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { Conversations } from "../agents/stages";
import { DYNAMODB_ITEM_BYTES } from "../definitions/limits";
import { queryAll } from "./queryAll";
import { keys } from "./table";

/** The gzipped conversation is split into chunks this big, leaving room in the item for its keys. */
const CHUNK_BYTES = DYNAMODB_ITEM_BYTES - 50_000;
/** A conversation nobody continues (an abandoned workflow) goes away by itself. */
const TTL_SECONDS = 30 * 24 * 60 * 60;

interface Head {
  version: number;
  chunks: number;
}

/**
 * The developer's conversation between Lambda invocations, one per workflow and round: gzipped
 * JSON in chunk items under a head item that names the current version. A save writes the new
 * chunks before it moves the head, so a reader never sees half a conversation.
 */
export class ConversationStore implements Conversations {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(workflowId: string, round: number): Promise<unknown> {
    const head = await this.head(workflowId, round);
    if (!head) return undefined;
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: {
        ":pk": keys.workflow(workflowId),
        ":prefix": chunkPrefix(round, head.version),
      },
      ConsistentRead: true,
    });
    const parts = items.map((item) => item.data as Uint8Array);
    if (parts.length !== head.chunks) {
      throw new Error(
        `The saved conversation of ${workflowId} round ${round} has ${parts.length} of ${head.chunks} chunks`,
      );
    }
    return JSON.parse(gunzipSync(Buffer.concat(parts)).toString("utf8")) as unknown;
  }

  async save(workflowId: string, round: number, state: unknown): Promise<void> {
    const previous = await this.head(workflowId, round);
    const version = (previous?.version ?? 0) + 1;
    const bytes = gzipSync(JSON.stringify(state));
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
    const expiresAt = Math.floor(Date.now() / 1000) + TTL_SECONDS;
    for (let index = 0; index < chunks; index++) {
      await this.put({
        pk: keys.workflow(workflowId),
        sk: chunkKey(round, version, index),
        data: bytes.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES),
        expiresAt,
      });
    }
    await this.put({
      pk: keys.workflow(workflowId),
      sk: keys.conversation(round),
      version,
      chunks,
      expiresAt,
    });
    if (previous) await this.deleteChunks(workflowId, round, previous);
  }

  async clear(workflowId: string, round: number): Promise<void> {
    const head = await this.head(workflowId, round);
    if (!head) return;
    await this.delete(workflowId, keys.conversation(round));
    await this.deleteChunks(workflowId, round, head);
  }

  private async head(workflowId: string, round: number): Promise<Head | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.workflow(workflowId), sk: keys.conversation(round) },
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    return item ? { version: Number(item.version), chunks: Number(item.chunks) } : undefined;
  }

  private async deleteChunks(workflowId: string, round: number, head: Head): Promise<void> {
    for (let index = 0; index < head.chunks; index++) {
      await this.delete(workflowId, chunkKey(round, head.version, index));
    }
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

function chunkPrefix(round: number, version: number): string {
  return `${keys.conversation(round)}#${String(version).padStart(6, "0")}#`;
}

function chunkKey(round: number, version: number, index: number): string {
  return `${chunkPrefix(round, version)}${String(index).padStart(4, "0")}`;
}
