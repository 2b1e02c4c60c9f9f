import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api } from "../support/api";
import { startTestRuntime, type TestRuntime } from "../support/runtime";
import { allWorkflowIds, createAtPlanGate } from "../support/workflows";

let first: TestRuntime;
let second: TestRuntime;
const environmentBefore = { ...process.env };

beforeAll(async () => {
  [first, second] = await Promise.all([
    startTestRuntime({ env: { AMELIA_MAX_ACTIVE_WORKFLOWS: "1" } }),
    startTestRuntime(),
  ]);
});
afterAll(() => Promise.all([first?.stop(), second?.stop()]));

describe("two local runtimes in one process", () => {
  it("each runs its own workflows on its own data, with its own settings", async () => {
    expect(first.dataDir).not.toBe(second.dataDir);
    const firstApi = new Api(first.url);
    const secondApi = new Api(second.url);

    const [onFirst, onSecond] = await Promise.all([
      createAtPlanGate(firstApi, { issueId: "TWO-1", title: "On the first runtime" }),
      createAtPlanGate(secondApi, { issueId: "TWO-1", title: "On the second runtime" }),
    ]);
    expect(onFirst.title).toBe("On the first runtime");
    expect(onSecond.title).toBe("On the second runtime");
    expect(await allWorkflowIds(firstApi)).toEqual([onFirst.id]);
    expect(await allWorkflowIds(secondApi)).toEqual([onSecond.id]);
    expect((await firstApi.get(onSecond.id)).status).toBe(404);

    // The first runtime's functions allow one active workflow; the second's the default five.
    const refused = await firstApi.create({ issueId: "TWO-2" });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe("CONCURRENCY_LIMIT");
    const accepted = await secondApi.create({ issueId: "TWO-2" });
    expect(accepted.status).toBe(201);

    // Each runtime's endpoints went to its own functions, none into this process's environment.
    expect(first.environment.AWS_ENDPOINT_URL_DYNAMODB).not.toBe(
      second.environment.AWS_ENDPOINT_URL_DYNAMODB,
    );
    expect(process.env).toEqual(environmentBefore);
  });
});
