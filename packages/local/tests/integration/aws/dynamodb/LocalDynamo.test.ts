import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDynamo } from "../../../../src/aws/dynamodb/LocalDynamo";
import { clientConfig, TEST_CREDENTIALS } from "../../../support/sdk";
import { tempDir } from "../../../support/tempDir";

const TABLE = "amelia-size";
const directory = tempDir("dynamo-size");
let dynamo: LocalDynamo;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await LocalDynamo.start(directory.path, TEST_CREDENTIALS);
  await dynamo.ensureTable(TABLE);
  client = new DynamoDBClient(clientConfig(dynamo.endpoint));
});
afterAll(async () => {
  await dynamo.close();
  directory.remove();
});

/** An item whose `text` is `characters` "é": twice as many bytes as characters. */
const itemOf = (sk: string, characters: number) => ({
  pk: { S: "WF#size" },
  sk: { S: sk },
  text: { S: "é".repeat(characters) },
});

describe("the local DynamoDB counts an item's size in UTF-8 bytes, as DynamoDB does", () => {
  it("refuses a PutItem of 500,000 bytes in 250,000 characters, and writes nothing", async () => {
    const refused = await client
      .send(new PutItemCommand({ TableName: TABLE, Item: itemOf("big", 250_000) }))
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({
      name: "ValidationException",
      message: "Item size has exceeded the maximum allowed size",
      $metadata: { httpStatusCode: 400 },
    });
    const read = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: "WF#size" }, sk: { S: "big" } } }),
    );
    expect(read.Item).toBeUndefined();
  });

  it("accepts an item of 409,600 bytes (400 KB), not one byte more", async () => {
    // Names and keys take 19 bytes ("pk" "WF#size" "sk" "fits" "text"), each "é" two.
    const sized = (text: string) => ({ ...itemOf("fits", 0), text: { S: text } });
    const fits = `${"é".repeat(204_790)}x`;
    await client.send(new PutItemCommand({ TableName: TABLE, Item: sized(fits) }));
    const read = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: "WF#size" }, sk: { S: "fits" } } }),
    );
    expect(read.Item?.text?.S).toBe(fits);
    await expect(
      client.send(new PutItemCommand({ TableName: TABLE, Item: sized(`${fits}x`) })),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("refuses a BatchWriteItem that puts one oversized item", async () => {
    const refused = await client
      .send(
        new BatchWriteItemCommand({
          RequestItems: {
            [TABLE]: [
              { PutRequest: { Item: itemOf("small", 10) } },
              { PutRequest: { Item: itemOf("batch-big", 210_000) } },
            ],
          },
        }),
      )
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: "ValidationException" });
  });
});

describe("a failed condition answers with the item as it was, when asked, as DynamoDB does", () => {
  const existing = { pk: { S: "WF#old" }, sk: { S: "claim" }, holder: { S: "first" } };
  const attempt = (returnOld: boolean) =>
    client
      .send(
        new PutItemCommand({
          TableName: TABLE,
          Item: { ...existing, holder: { S: "second" } },
          ConditionExpression: "attribute_not_exists(pk)",
          ...(returnOld && { ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const }),
        }),
      )
      .catch((error: unknown) => error);

  it("gives the existing item with ReturnValuesOnConditionCheckFailure ALL_OLD, and none without", async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: existing }));
    const asked = await attempt(true);
    expect(asked).toBeInstanceOf(ConditionalCheckFailedException);
    expect((asked as ConditionalCheckFailedException).Item).toEqual(existing);
    const notAsked = await attempt(false);
    expect(notAsked).toBeInstanceOf(ConditionalCheckFailedException);
    expect((notAsked as ConditionalCheckFailedException).Item).toBeUndefined();
  });

  it("gives it for an update by key too, and leaves the item as it was", async () => {
    const failed = await client
      .send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { pk: existing.pk, sk: existing.sk },
          UpdateExpression: "SET holder = :h",
          ConditionExpression: "holder = :other",
          ExpressionAttributeValues: { ":h": { S: "third" }, ":other": { S: "nobody" } },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      )
      .catch((error: unknown) => error);
    expect((failed as ConditionalCheckFailedException).Item).toEqual(existing);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: existing.pk, sk: existing.sk } }),
    );
    expect(Item).toEqual(existing);
  });
});
