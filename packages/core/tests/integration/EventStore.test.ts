import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_PAGE_BYTES, MAX_EVENT_BYTES } from "../../src/definitions/limits";
import type { NewEvent } from "../../src/events/types";
import { InvalidEventError } from "../../src/events/InvalidEventError";
import { EventStore } from "../../src/store/EventStore";
import { SequenceTakenError } from "../../src/workflow/dependencies";
import { startTestTable, type TestTable } from "../support/dynamo";

const message = (text: string): NewEvent => ({
  type: "agent_message",
  agent: "developer",
  level: "info",
  message: text,
  data: undefined,
});

/** A plan_created event whose plan is `bytes` bytes of UTF-8 ("é" is two). */
const planOf = (bytes: number): NewEvent => ({
  type: "plan_created",
  agent: "architect",
  level: "info",
  message: "Plan ready",
  data: { plan: "é".repeat(bytes / 2), round: 1 },
});

/** The sort keys of a workflow's items, as the table holds them. */
async function sortKeysOf(workflowId: string): Promise<string[]> {
  const result = await table.document.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `WF#${workflowId}` },
    }),
  );
  return (result.Items ?? []).map((item) => item.sk as string);
}

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(() => table.close());

function expectGapless(sequences: number[], count: number) {
  expect([...sequences].sort((a, b) => a - b)).toEqual(
    Array.from({ length: count }, (_, i) => i + 1),
  );
}

describe("EventStore on DynamoDB", () => {
  it("numbers events 1, 2, 3… and reads them back in order", async () => {
    const store = new EventStore(table.client, table.tableName);
    const first = await store.append("wf-order", message("one"));
    const second = await store.append("wf-order", message("two"));
    expect([first.sequence, second.sequence]).toEqual([1, 2]);
    expect(first).toMatchObject({ workflowId: "wf-order", type: "agent_message", message: "one" });
    const { events, nextSince } = await store.list("wf-order");
    expect(events.map((e) => e.message)).toEqual(["one", "two"]);
    expect(nextSince).toBeUndefined();
    expect(await store.head("wf-order")).toBe(2);
  });

  it("appends at a given sequence only while it is free (another process took it: refused)", async () => {
    const store = new EventStore(table.client, table.tableName);
    const other = new EventStore(table.newClient(), table.tableName);
    await store.append("wf-at", message("one"));
    await other.append("wf-at", message("two, from elsewhere"));
    const taken = await store.append("wf-at", message("checked against one"), 2).catch((e) => e);
    expect(taken).toBeInstanceOf(SequenceTakenError);
    expect(taken).toMatchObject({ workflowId: "wf-at", sequence: 2 });
    expect((await store.append("wf-at", message("checked against two"), 3)).sequence).toBe(3);
    expect((await store.list("wf-at")).events.map((e) => e.message)).toEqual([
      "one",
      "two, from elsewhere",
      "checked against two",
    ]);
  });

  it("stays gapless with 8 concurrent writers in one process", async () => {
    const store = new EventStore(table.client, table.tableName);
    const appended = await Promise.all(
      Array.from({ length: 8 }, (_, writer) =>
        (async () => {
          const sequences: number[] = [];
          for (let i = 0; i < 25; i++)
            sequences.push((await store.append("wf-8", message(`${writer}-${i}`))).sequence);
          return sequences;
        })(),
      ),
    );
    expectGapless(appended.flat(), 200);
    const stored = await store.listAll("wf-8");
    expect(stored.map((e) => e.sequence)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it("never reuses a sequence when separate processes write at once", async () => {
    const stores = Array.from(
      { length: 4 },
      () => new EventStore(table.newClient(), table.tableName),
    );
    const appended = await Promise.all(
      stores.map(async (store, writer) => {
        const sequences: number[] = [];
        for (let i = 0; i < 15; i++)
          sequences.push((await store.append("wf-procs", message(`${writer}-${i}`))).sequence);
        return sequences;
      }),
    );
    expectGapless(appended.flat(), 60);
    const stored = await stores[0]!.listAll("wf-procs");
    expect(new Set(stored.map((e) => e.message)).size).toBe(60);
  });

  it("pages by sequence for backfill", async () => {
    const store = new EventStore(table.client, table.tableName);
    for (let i = 1; i <= 7; i++) await store.append("wf-page", message(`m${i}`));
    const page = await store.list("wf-page", 2, 3);
    expect(page.events.map((e) => e.sequence)).toEqual([3, 4, 5]);
    expect(page.nextSince).toBe(5);
    const rest = await store.list("wf-page", page.nextSince, 3);
    expect(rest.events.map((e) => e.sequence)).toEqual([6, 7]);
    expect((await store.list("wf-page", 7)).events).toEqual([]);
  });

  it("refuses an event whose data does not match its type, and stores nothing", async () => {
    const store = new EventStore(table.client, table.tableName);
    const bad = {
      type: "approval_rejected",
      agent: "human",
      level: "info",
      message: "no",
      data: { gate: "plan" },
    };
    await expect(store.append("wf-bad", bad as NewEvent)).rejects.toBeInstanceOf(InvalidEventError);
    expect(await store.head("wf-bad")).toBe(0);
  });

  it("stores an event over DynamoDB's 400 KB item limit whole, its data in parts", async () => {
    const store = new EventStore(table.client, table.tableName);
    await store.append("wf-large", message("before"));
    const large = await store.append("wf-large", planOf(600_000));
    await store.append("wf-large", message("after"));

    const { events } = await store.list("wf-large");
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(events[1]).toEqual(large);
    expect(await store.head("wf-large")).toBe(3);
    const parts = (await sortKeysOf("wf-large")).filter((sk) => sk.startsWith("EVD#"));
    expect(parts).toEqual([`EVD#${large.id}#0000`, `EVD#${large.id}#0001`]);
  });

  it("ends a page before it passes EVENTS_PAGE_BYTES, and the next page goes on from there", async () => {
    const store = new EventStore(table.client, table.tableName);
    const eventBytes = 1_500_000;
    for (let i = 0; i < 3; i++) await store.append("wf-heavy", planOf(eventBytes));
    expect(3 * eventBytes).toBeGreaterThan(EVENTS_PAGE_BYTES);

    const first = await store.list("wf-heavy", 0, 500);
    expect(first.events.map((e) => e.sequence)).toEqual([1, 2]);
    expect(first.nextSince).toBe(2);
    const rest = await store.list("wf-heavy", first.nextSince, 500);
    expect(rest.events.map((e) => e.sequence)).toEqual([3]);
    expect(rest.nextSince).toBeUndefined();
    expect((await store.listAll("wf-heavy")).map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it("refuses an event over MAX_EVENT_BYTES, naming its size, and stores nothing", async () => {
    const store = new EventStore(table.client, table.tableName);
    const refused = await store.append("wf-huge", planOf(MAX_EVENT_BYTES)).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidEventError);
    expect(refused.message).toMatch(
      /plan_created: is \d+ bytes of JSON, more than the log's 2097152/,
    );
    expect(await sortKeysOf("wf-huge")).toEqual([]);
  });
});
