import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { queryAll } from "./queryAll";
import { keys } from "./table";

/** API Gateway closes a WebSocket after 2 hours; items outlive that a little, then expire. */
const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

/** WebSocket connections and their subscriptions, each subscription an item queried by key. */
export class ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async connect(connectionId: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.connection(connectionId),
          sk: keys.connection(connectionId),
          connectedAt: new Date().toISOString(),
          expiresAt: expiry(),
        },
      }),
    );
  }

  async subscribe(connectionId: string, workflowId: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.subscription(workflowId), sk: connectionId, expiresAt: expiry() },
      }),
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.connection(connectionId), sk: keys.connection(connectionId) },
        UpdateExpression: "ADD subscriptions :s",
        ExpressionAttributeValues: { ":s": new Set([workflowId]) },
      }),
    );
  }

  async unsubscribe(connectionId: string, workflowId: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: keys.subscription(workflowId), sk: connectionId },
      }),
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.connection(connectionId), sk: keys.connection(connectionId) },
        UpdateExpression: "DELETE subscriptions :s",
        ExpressionAttributeValues: { ":s": new Set([workflowId]) },
      }),
    );
  }

  /** Forgets the connection and every subscription it had (idempotent). */
  async disconnect(connectionId: string): Promise<void> {
    const key = { pk: keys.connection(connectionId), sk: keys.connection(connectionId) };
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    const subscriptions = (result.Item?.subscriptions as Set<string> | undefined) ?? new Set();
    await Promise.all(
      [...subscriptions].map((workflowId) =>
        this.db.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: keys.subscription(workflowId), sk: connectionId },
          }),
        ),
      ),
    );
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
  }

  /** Connections subscribed to this workflow or to every workflow (`*`). */
  async subscribers(workflowId: string): Promise<string[]> {
    const groups = await Promise.all(
      [workflowId, "*"].map(async (topic) => {
        const items = await queryAll(this.db, {
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.subscription(topic) },
          ProjectionExpression: "sk",
        });
        return items.map((item) => item.sk as string);
      }),
    );
    return [...new Set(groups.flat())];
  }
}

function expiry(): number {
  return Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;
}
