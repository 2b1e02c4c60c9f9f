import { randomBytes } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConversationStore } from "../../src/store/ConversationStore";
import { startTestTable, type TestTable } from "../support/dynamo";

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(() => table.close());

async function itemsOf(workflowId: string) {
  const result = await table.document.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `WF#${workflowId}` },
    }),
  );
  return (result.Items ?? []).map((item) => item.sk as string);
}

describe("ConversationStore on DynamoDB", () => {
  it("keeps one conversation per round, and nothing for a round never saved", async () => {
    const store = new ConversationStore(table.document, table.tableName);
    await store.save("wf-rounds", 1, { turns: 1 });
    await store.save("wf-rounds", 2, { turns: 7 });
    expect(await store.load("wf-rounds", 1)).toEqual({ turns: 1 });
    expect(await store.load("wf-rounds", 2)).toEqual({ turns: 7 });
    expect(await store.load("wf-rounds", 3)).toBeUndefined();
  });

  it("stores a conversation far over DynamoDB's 400 KB item limit in chunks", async () => {
    const store = new ConversationStore(table.document, table.tableName);
    // Base64 of random bytes compresses to 6 bits a character: about 1 MB gzipped, 3 chunks.
    const big = {
      messages: [{ role: "user", content: randomBytes(1_000_000).toString("base64") }],
    };
    await store.save("wf-big", 1, big);
    expect(await store.load("wf-big", 1)).toEqual(big);
    const chunks = (await itemsOf("wf-big")).filter((sk) => sk.startsWith("CONV#0001#"));
    expect(chunks.length).toBe(3);
  });

  it("replaces the previous version on save, and clears every item of a round", async () => {
    const store = new ConversationStore(table.document, table.tableName);
    await store.save("wf-versions", 1, { turns: 1, text: "a".repeat(1_000) });
    await store.save("wf-versions", 1, { turns: 2 });
    expect(await store.load("wf-versions", 1)).toEqual({ turns: 2 });
    expect(await itemsOf("wf-versions")).toEqual(["CONV#0001", "CONV#0001#000002#0000"]);
    await store.clear("wf-versions", 1);
    expect(await itemsOf("wf-versions")).toEqual([]);
    expect(await store.load("wf-versions", 1)).toBeUndefined();
  });
});
