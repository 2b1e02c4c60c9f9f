import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkflowStore } from "../../src/store/WorkflowStore";
import { emptyUsage, type Workflow } from "../../src/workflow/Workflow";
import { startTestTable, type TestTable } from "../support/dynamo";

let table: TestTable;
let store: WorkflowStore;
beforeAll(async () => {
  table = await startTestTable();
  store = new WorkflowStore(table.document, table.tableName);
});
afterAll(() => table.close());

let created = 0;

/** A workflow projected up to `lastSequence`, with a plan of `planBytes` bytes of UTF-8. */
function workflowWith(id: string, lastSequence: number, planBytes: number): Workflow {
  return {
    id,
    kind: "issue",
    issueId: `ISSUE-${id}`,
    description: "ü".repeat(50_000),
    model: "demo",
    status: "blocked",
    stage: "plan_approval",
    gate: "plan",
    plan: "é".repeat(planBytes / 2),
    review: { approved: false, severity: "minor", comments: ["a comment"] },
    iteration: { plan: 1, review: 0 },
    usage: emptyUsage(),
    lastSequence,
    createdAt: `2026-12-02T00:00:${String(++created).padStart(2, "0")}.000Z`,
    updatedAt: "2026-12-02T00:01:00.000Z",
  };
}

async function partKeysOf(workflowId: string): Promise<string[]> {
  const result = await table.document.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :parts)",
      ExpressionAttributeValues: { ":pk": `WF#${workflowId}`, ":parts": "STATE#" },
    }),
  );
  return (result.Items ?? []).map((item) => item.sk as string);
}

describe("WorkflowStore on DynamoDB", () => {
  it("keeps a projection over the 400 KB item limit whole, and lists it abridged", async () => {
    const large = workflowWith("wf-large", 5, 700_000);
    expect(await store.saveProjection(large, undefined)).toBe(true);

    expect(await store.get("wf-large")).toEqual(large);
    expect(await partKeysOf("wf-large")).toHaveLength(3);
    const listed = (await store.list({ limit: 100 })).workflows.find((w) => w.id === "wf-large");
    expect(listed).toMatchObject({ id: "wf-large", status: "blocked", abridged: true });
    expect(listed).not.toHaveProperty("plan");
    expect(listed).not.toHaveProperty("description");
    expect(listed).not.toHaveProperty("review");
  });

  it("removes the parts a later save replaced, large or small", async () => {
    await store.saveProjection(workflowWith("wf-shrinks", 1, 700_000), undefined);
    const [firstParts] = await partKeysOf("wf-shrinks");

    await store.saveProjection(workflowWith("wf-shrinks", 2, 500_000), 1);
    const secondParts = await partKeysOf("wf-shrinks");
    expect(secondParts).toHaveLength(2);
    expect(secondParts).not.toContain(firstParts);

    const small = workflowWith("wf-shrinks", 3, 1_000);
    await store.saveProjection(small, 2);
    expect(await partKeysOf("wf-shrinks")).toEqual([]);
    expect(await store.get("wf-shrinks")).toEqual(small);
    const listed = (await store.list({ limit: 100 })).workflows.find((w) => w.id === "wf-shrinks");
    expect(listed).toEqual(small);
  });

  it("a save that loses the race stores nothing, its parts included", async () => {
    const first = workflowWith("wf-race", 1, 1_000);
    await store.saveProjection(first, undefined);
    await store.saveProjection(workflowWith("wf-race", 2, 1_000), 1);

    const stale = workflowWith("wf-race", 2, 800_000);
    expect(await store.saveProjection(stale, 1)).toBe(false);
    expect(await partKeysOf("wf-race")).toEqual([]);
    expect((await store.get("wf-race"))?.plan).toHaveLength(500);
  });
});
