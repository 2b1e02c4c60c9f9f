import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DYNAMODB_ITEM_BYTES } from "../definitions/limits";
import { queryAll } from "./queryAll";

/** The bytes of one part item, leaving room in it for its keys and attributes. */
export const PART_BYTES = DYNAMODB_ITEM_BYTES - 50_000;

/** Some parts of a value were not there: deleted by a newer save since its head was read. */
export class MissingPartsError extends Error {
  constructor(
    readonly pk: string,
    readonly prefix: string,
    readonly found: number,
    readonly expected: number,
  ) {
    super(`${pk} ${prefix}… has ${found} of ${expected} parts`);
    this.name = "MissingPartsError";
  }
}

/**
 * A value too large for one DynamoDB item (400 KB), kept as binary part items `<prefix>0000`,
 * `<prefix>0001`… in the item collection of its owner. The owner's item names the prefix and the
 * count; parts are written before it and deleted after it moves on, so no reader sees half.
 */
export class ItemParts {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes the parts of `bytes` and returns how many there are. */
  async put(
    pk: string,
    prefix: string,
    bytes: Uint8Array,
    attributes: Record<string, unknown> = {},
  ): Promise<number> {
    const count = Math.max(1, Math.ceil(bytes.length / PART_BYTES));
    for (let index = 0; index < count; index++) {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk,
            sk: partKey(prefix, index),
            data: bytes.subarray(index * PART_BYTES, (index + 1) * PART_BYTES),
            ...attributes,
          },
        }),
      );
    }
    return count;
  }

  /** The value the parts hold, or MissingPartsError when any of them is gone. */
  async read(pk: string, prefix: string, count: number): Promise<Buffer> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
      ConsistentRead: true,
    });
    if (items.length !== count) throw new MissingPartsError(pk, prefix, items.length, count);
    return Buffer.concat(items.map((item) => item.data as Uint8Array));
  }

  async delete(pk: string, prefix: string, count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk, sk: partKey(prefix, index) } }),
      );
    }
  }
}

function partKey(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(4, "0")}`;
}
