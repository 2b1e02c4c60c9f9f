/** An attribute value map as DynamoDB's JSON protocol writes it. */
type WireItem = Record<string, Record<string, unknown>>;

/** A write whose failed condition should answer with the item as it was. */
export interface OldItemRequest {
  tableName: string;
  /** The key written to (UpdateItem, DeleteItem); for PutItem, the item it would have put. */
  key?: WireItem;
  item?: WireItem;
}

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem"]);

/**
 * A write that asks DynamoDB for the item when its condition fails
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, as Powertools' idempotency does); dynalite
 * ignores the parameter, so the front answers it.
 */
export function oldItemRequest(operation: string, body: Buffer): OldItemRequest | undefined {
  if (!WRITES.has(operation)) return undefined;
  let input: {
    TableName?: unknown;
    Key?: unknown;
    Item?: unknown;
    ReturnValuesOnConditionCheckFailure?: unknown;
  };
  try {
    input = JSON.parse(body.toString("utf8")) as typeof input;
  } catch {
    return undefined;
  }
  if (
    input.ReturnValuesOnConditionCheckFailure !== "ALL_OLD" ||
    typeof input.TableName !== "string"
  ) {
    return undefined;
  }
  return {
    tableName: input.TableName,
    ...(isItem(input.Key) && { key: input.Key }),
    ...(isItem(input.Item) && { item: input.Item }),
  };
}

/** Whether dynalite's answer is a failed condition. */
export function isConditionFailure(statusCode: number | undefined, answer: unknown): boolean {
  const type = (answer as { __type?: unknown } | undefined)?.__type;
  return (
    statusCode === 400 &&
    typeof type === "string" &&
    type.endsWith("#ConditionalCheckFailedException")
  );
}

/** The key of `request`'s item, by the table's key schema. */
export function keyOf(request: OldItemRequest, keyNames: readonly string[]): WireItem | undefined {
  if (request.key) return request.key;
  const item = request.item;
  if (!item || keyNames.some((name) => item[name] === undefined)) return undefined;
  return Object.fromEntries(keyNames.map((name) => [name, item[name] as Record<string, unknown>]));
}

function isItem(value: unknown): value is WireItem {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
