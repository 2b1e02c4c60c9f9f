import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { keys } from "./table";

/** Where a workflow's status comment is, or who is creating it since when (epoch ms). */
export interface StatusCommentRecord {
  commentId?: number;
  claimedAt: number;
}

/** The status comment of each workflow: created once, by whoever claims its item first. */
export class StatusCommentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(workflowId: string): Promise<StatusCommentRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.key(workflowId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return {
      claimedAt: Number(Item.claimedAt),
      ...(typeof Item.commentId === "number" && { commentId: Item.commentId }),
    };
  }

  /**
   * Claims the creation of the comment: true when nobody holds it, or when the holder's claim
   * is older than `staleBefore` and it never stored a comment (it died half-way).
   */
  async claim(workflowId: string, now: number, staleBefore: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key(workflowId), claimedAt: now },
          ConditionExpression:
            "attribute_not_exists(pk) OR (attribute_not_exists(commentId) AND claimedAt < :stale)",
          ExpressionAttributeValues: { ":stale": staleBefore },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async saveComment(workflowId: string, commentId: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(workflowId),
        UpdateExpression: "SET commentId = :id",
        ExpressionAttributeValues: { ":id": commentId },
      }),
    );
  }

  private key(workflowId: string) {
    return { pk: keys.workflow(workflowId), sk: keys.statusComment };
  }
}
