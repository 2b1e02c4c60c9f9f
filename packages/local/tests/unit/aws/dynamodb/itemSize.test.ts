import { describe, expect, it } from "vitest";
import { itemBytes } from "../../../../src/aws/dynamodb/itemSize";

describe("an item's size, as DynamoDB counts it", () => {
  it("counts names and strings in UTF-8 bytes", () => {
    expect(itemBytes({ pk: { S: "abc" } })).toBe(5);
    expect(itemBytes({ é: { S: "日本" } })).toBe(2 + 6);
  });

  it("counts binary in bytes, true/false/null as one, numbers by significant digits", () => {
    expect(itemBytes({ b: { B: Buffer.from("12345").toString("base64") } })).toBe(1 + 5);
    expect(itemBytes({ t: { BOOL: true }, n: { NULL: true } })).toBe(2 + 2);
    expect(itemBytes({ n: { N: "12345" } })).toBe(1 + 4);
    expect(itemBytes({ n: { N: "-0.00120" } })).toBe(1 + 2);
  });

  it("adds 3 bytes to a map or list and one per element, and counts sets by their members", () => {
    expect(itemBytes({ m: { M: { a: { S: "xy" }, b: { BOOL: false } } } })).toBe(
      1 + 3 + (1 + 1 + 2) + (1 + 1 + 1),
    );
    expect(itemBytes({ l: { L: [{ S: "x" }, { N: "7" }] } })).toBe(1 + 3 + (1 + 1) + (1 + 2));
    expect(itemBytes({ s: { SS: ["a", "bé"] } })).toBe(1 + 1 + 3);
  });
});
