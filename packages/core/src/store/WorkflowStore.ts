import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { ValidationError } from "../errors";
import type {
  Claim,
  ClaimResult,
  ClaimStore,
  GateStore,
  OpenGate,
  ProjectionStore,
  WorkflowListOptions,
} from "../workflow/dependencies";
import type { Gate, WorkflowStatus } from "../workflow/status";
import { abridged, type Workflow, type WorkflowPage } from "../workflow/Workflow";
import { ItemParts, MissingPartsError } from "./ItemParts";
import { keys } from "./table";

/**
 * A projection up to this size (as JSON) is kept in its item; a larger one (a long plan and
 * review) is kept whole in parts, the item holding it abridged for the listings.
 */
const INLINE_PROJECTION_BYTES = 300_000;
/** A projection read while a newer save replaces its parts is read again, up to this often. */
const READ_ATTEMPTS = 5;

interface Parts {
  partsId: string;
  parts: number;
}

/** Workflow projections, gates, and the items behind the conflict and concurrency rules. */
export class WorkflowStore implements ProjectionStore, GateStore, ClaimStore {
  private readonly projectionParts: ItemParts;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.projectionParts = new ItemParts(db, tableName);
  }

  async get(workflowId: string): Promise<Workflow | undefined> {
    const pk = keys.workflow(workflowId);
    for (let attempt = 1; ; attempt++) {
      const result = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk, sk: keys.state },
          ConsistentRead: true,
        }),
      );
      const item = result.Item;
      if (!item?.partsId) return item?.workflow as Workflow | undefined;
      const { partsId, parts } = item as unknown as Parts;
      try {
        const json = await this.projectionParts.read(pk, keys.stateParts(partsId), parts);
        return JSON.parse(json.toString("utf8")) as Workflow;
      } catch (error) {
        if (!(error instanceof MissingPartsError) || attempt >= READ_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * A projection too large for its item is written in parts first, under an id of this save's
   * own: a save that loses the race removes just its own parts, and the winner those it replaced.
   */
  async saveProjection(workflow: Workflow, basedOn: number | undefined): Promise<boolean> {
    const pk = keys.workflow(workflow.id);
    const json = JSON.stringify(workflow);
    let parts: Parts | undefined;
    if (Buffer.byteLength(json) > INLINE_PROJECTION_BYTES) {
      const partsId = randomUUID();
      const stored = Buffer.from(json);
      parts = {
        partsId,
        parts: await this.projectionParts.put(pk, keys.stateParts(partsId), stored),
      };
    }
    const sortKey = `${workflow.createdAt}#${workflow.id}`;
    let replaced: Partial<Parts> | undefined;
    try {
      const result = await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk,
            sk: keys.state,
            gsi1pk: keys.allWorkflows,
            gsi1sk: sortKey,
            gsi2pk: keys.status(workflow.status),
            gsi2sk: sortKey,
            projectedSequence: workflow.lastSequence,
            workflow: parts ? abridged(workflow) : workflow,
            ...parts,
          },
          ConditionExpression:
            basedOn === undefined ? "attribute_not_exists(pk)" : "projectedSequence = :basedOn",
          ...(basedOn !== undefined && { ExpressionAttributeValues: { ":basedOn": basedOn } }),
          // Free of read capacity; it says which parts, if any, this save replaced.
          ReturnValues: "ALL_OLD",
        }),
      );
      replaced = result.Attributes as Partial<Parts> | undefined;
    } catch (error) {
      await this.deleteParts(pk, parts);
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.deleteParts(pk, replaced);
    return true;
  }

  private async deleteParts(pk: string, parts: Partial<Parts> | undefined): Promise<void> {
    if (parts?.partsId === undefined || parts.parts === undefined) return;
    await this.projectionParts.delete(pk, keys.stateParts(parts.partsId), Number(parts.parts));
  }

  async list(options: WorkflowListOptions): Promise<WorkflowPage> {
    const byStatus = options.status !== undefined;
    const partitionKey = byStatus ? keys.status(options.status!) : keys.allWorkflows;
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byStatus ? "gsi2" : "gsi1",
        KeyConditionExpression: byStatus ? "gsi2pk = :pk" : "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": partitionKey },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(options.cursor && {
          ExclusiveStartKey: decodeCursor(options.cursor, byStatus ? "gsi2" : "gsi1", partitionKey),
        }),
      }),
    );
    const workflows = (result.Items ?? []).map((item) => item.workflow as Workflow);
    return result.LastEvaluatedKey
      ? { workflows, nextCursor: encodeCursor(result.LastEvaluatedKey) }
      : { workflows };
  }

  async listAllWithStatus(status: WorkflowStatus): Promise<Workflow[]> {
    const all: Workflow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ status, limit: 100, ...(cursor && { cursor }) });
      all.push(...page.workflows);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  async putGate(workflowId: string, gate: OpenGate): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: keys.workflow(workflowId), sk: keys.gate, ...gate },
      }),
    );
  }

  async takeGate(workflowId: string): Promise<OpenGate | undefined> {
    try {
      const result = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.workflow(workflowId), sk: keys.gate },
          ConditionExpression: "attribute_exists(pk)",
          ReturnValues: "ALL_OLD",
        }),
      );
      const item = result.Attributes;
      return item ? { gate: item.gate as Gate, taskToken: item.taskToken as string } : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async claim(pk: string, sk: string, claim: Claim): Promise<ClaimResult> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk, ...claim },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { kind: "claimed" };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const holder = await this.holder(pk, sk);
      return holder ? { kind: "held", holder } : { kind: "vanished" };
    }
  }

  async release(pk: string, sk: string, workflowId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk, sk },
          ConditionExpression: "workflowId = :id",
          ExpressionAttributeValues: { ":id": workflowId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async holder(pk: string, sk: string): Promise<Claim | undefined> {
    const held = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return held.Item ? toClaim(held.Item) : undefined;
  }

  async slotHolders(): Promise<Map<string, Claim>> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.slots },
        ConsistentRead: true,
      }),
    );
    return new Map((result.Items ?? []).map((item) => [item.sk as string, toClaim(item)]));
  }
}

function toClaim(item: Record<string, unknown>): Claim {
  return { workflowId: item.workflowId as string, claimedAt: Number(item.claimedAt ?? 0) };
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/**
 * A cursor is the LastEvaluatedKey of the same listing: the table key plus the index key, in the
 * listing's partition. Anything else (tampered, or from another `status`) is refused with a 400
 * here rather than by DynamoDB with a 500.
 */
function decodeCursor(
  cursor: string,
  index: "gsi1" | "gsi2",
  partitionKey: string,
): Record<string, unknown> {
  const invalid = new ValidationError("Invalid cursor", [
    { field: "cursor", message: "is not a cursor returned by this API" },
  ]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  const attributes = ["pk", "sk", `${index}pk`, `${index}sk`];
  const valid =
    typeof key === "object" &&
    key !== null &&
    !Array.isArray(key) &&
    Object.keys(key).length === attributes.length &&
    attributes.every((name) => typeof (key as Record<string, unknown>)[name] === "string") &&
    (key as Record<string, unknown>)[`${index}pk`] === partitionKey;
  if (!valid) throw invalid;
  return key as Record<string, unknown>;
}
