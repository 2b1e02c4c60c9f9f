import { DYNAMODB_ITEM_BYTES } from "@amelia/core/definitions/limits";

/** An attribute value as DynamoDB's JSON protocol writes it: `{"S": "…"}`, `{"M": {…}}`… */
type WireValue = Record<string, unknown>;
type WireItem = Record<string, WireValue>;

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * An item's size as DynamoDB counts it: attribute names and strings in UTF-8 bytes, binary in
 * bytes, a number about a byte per two significant digits plus one, true/false/null one byte, a
 * list or map 3 bytes plus a byte per element. (dynalite counts strings in UTF-16 code units.)
 */
export function itemBytes(item: WireItem): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += utf8(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: WireValue): number {
  const [type, content] = Object.entries(value)[0] ?? [];
  switch (type) {
    case "S":
      return utf8(content as string);
    case "N":
      return numberBytes(content as string);
    case "B":
      return Buffer.from(content as string, "base64").length;
    case "BOOL":
    case "NULL":
      return 1;
    case "SS":
      return sum(content as string[], utf8);
    case "NS":
      return sum(content as string[], numberBytes);
    case "BS":
      return sum(content as string[], (b) => Buffer.from(b, "base64").length);
    case "L":
      return 3 + sum(content as WireValue[], (element) => 1 + valueBytes(element));
    case "M":
      return 3 + sum(Object.entries(content as WireItem), ([k, v]) => utf8(k) + 1 + valueBytes(v));
    default:
      return 0;
  }
}

function numberBytes(number: string): number {
  const digits = number.replace(/^-/, "").replace(/e.*$/i, "").replace(".", "");
  const significant = digits.replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(1, significant.length) / 2) + 1;
}

function sum<T>(values: readonly T[], size: (value: T) => number): number {
  return values.reduce((total, value) => total + size(value), 0);
}

/**
 * The items a write request puts (PutItem, BatchWriteItem), for the item size check DynamoDB
 * makes before anything is written. Other operations put no whole item.
 */
export function itemsPut(operation: string, request: Record<string, unknown>): WireItem[] {
  if (operation === "PutItem") return [request.Item as WireItem];
  if (operation !== "BatchWriteItem") return [];
  const writes = Object.values((request.RequestItems ?? {}) as Record<string, unknown[]>).flat();
  return writes.flatMap((write) => {
    const item = (write as { PutRequest?: { Item?: WireItem } }).PutRequest?.Item;
    return item ? [item] : [];
  });
}

/** Whether any item the request puts is over DynamoDB's 400 KB. */
export function putsOversizedItem(operation: string, body: Buffer): boolean {
  let request: unknown;
  try {
    request = JSON.parse(body.toString("utf8"));
  } catch {
    return false; // dynalite answers a malformed body as DynamoDB does
  }
  if (typeof request !== "object" || request === null) return false;
  return itemsPut(operation, request as Record<string, unknown>).some(
    (item) => typeof item === "object" && item !== null && itemBytes(item) > DYNAMODB_ITEM_BYTES,
  );
}
