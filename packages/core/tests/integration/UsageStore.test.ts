import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewEvent } from "../../src/events/types";
import { EventStore } from "../../src/store/EventStore";
import { UsageStore } from "../../src/store/UsageStore";
import { usageReport } from "../../src/usage/usageReport";
import { startTestTable, type TestTable } from "../support/dynamo";

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(() => table.close());

function usage(
  agent: "architect" | "developer" | "reviewer",
  model: string,
  input: number,
  costUsd: number,
): NewEvent {
  return {
    type: "token_usage",
    agent,
    level: "info",
    message: "usage",
    data: {
      model,
      tokens: { inputTokens: input, outputTokens: 10, cacheReadTokens: 300, cacheWriteTokens: 100 },
      costUsd,
    },
  };
}

describe("usage from the log", () => {
  it("finds the token_usage events of a period through their by-day index, and sums them", async () => {
    const log = new EventStore(table.client, table.tableName);
    const before = new Date(Date.now() - 1_000);
    await log.append("wf-a", usage("architect", "claude-opus-5-5", 100, 0.5));
    await log.append("wf-a", {
      type: "agent_message",
      agent: "architect",
      level: "info",
      message: "not usage",
      data: {},
    });
    await log.append("wf-a", usage("developer", "claude-sonnet-5-5", 200, 0.25));
    await log.append("wf-b", usage("developer", "claude-sonnet-5-5", 400, 0.125));
    const until = new Date(Date.now() + 1_000);

    const store = new UsageStore(table.document, table.tableName);
    const events = await store.tokenUsage(before, until);
    expect(events.map((e) => e.data.tokens.inputTokens).sort()).toEqual([100, 200, 400]);
    // Nothing outside the period.
    expect(
      await store.tokenUsage(new Date(until.getTime() + 1), new Date(until.getTime() + 9)),
    ).toEqual([]);

    const report = usageReport(events, { days: 1, since: before, until });
    expect(report.totals).toEqual({
      calls: 3,
      inputTokens: 700,
      outputTokens: 30,
      cacheReadTokens: 900,
      cacheWriteTokens: 300,
      costUsd: 0.875,
      cacheHitShare: 0.4737,
    });
    expect(report.byModel.map((m) => [m.model, m.calls, m.costUsd])).toEqual([
      ["claude-opus-5-5", 1, 0.5],
      ["claude-sonnet-5-5", 2, 0.375],
    ]);
    expect(report.byAgent.map((a) => [a.agent, a.inputTokens])).toEqual([
      ["architect", 100],
      ["developer", 600],
    ]);
  });
});
