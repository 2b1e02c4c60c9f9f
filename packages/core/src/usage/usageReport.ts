import * as z from "zod";
import type { Agent, TokenCounts, WorkflowEvent } from "../events/types";
import { roundUsd } from "../pricing";

export const usageQuerySchema = z.strictObject({
  days: z.coerce
    .number()
    .int("must be a whole number of days")
    .min(1, "must be at least 1")
    .max(365, "must be at most 365")
    .default(30),
});

export interface UsageTotals extends TokenCounts {
  calls: number;
  costUsd: number;
  /** Share of prompt tokens served from the cache: cache reads / (input + cache reads + writes). */
  cacheHitShare: number;
}

export interface UsageReport {
  days: number;
  since: string;
  until: string;
  totals: UsageTotals;
  /** Most expensive first. */
  byModel: ({ model: string } & UsageTotals)[];
  byAgent: ({ agent: Agent } & UsageTotals)[];
}

type UsageEvent = WorkflowEvent<"token_usage">;

/** Sums `token_usage` events (the log's own record of every model call) into the report. */
export function usageReport(
  events: readonly UsageEvent[],
  period: { days: number; since: Date; until: Date },
): UsageReport {
  const byModel = new Map<string, UsageEvent[]>();
  const byAgent = new Map<Agent, UsageEvent[]>();
  for (const event of events) {
    byModel.set(event.data.model, [...(byModel.get(event.data.model) ?? []), event]);
    byAgent.set(event.agent, [...(byAgent.get(event.agent) ?? []), event]);
  }
  const mostExpensiveFirst = (a: UsageTotals, b: UsageTotals) => b.costUsd - a.costUsd;
  return {
    days: period.days,
    since: period.since.toISOString(),
    until: period.until.toISOString(),
    totals: totalsOf(events),
    byModel: [...byModel]
      .map(([model, group]) => ({ model, ...totalsOf(group) }))
      .sort(mostExpensiveFirst),
    byAgent: [...byAgent]
      .map(([agent, group]) => ({ agent, ...totalsOf(group) }))
      .sort(mostExpensiveFirst),
  };
}

function totalsOf(events: readonly UsageEvent[]): UsageTotals {
  const sum = (pick: (tokens: TokenCounts) => number) =>
    events.reduce((total, event) => total + pick(event.data.tokens), 0);
  const inputTokens = sum((t) => t.inputTokens);
  const cacheReadTokens = sum((t) => t.cacheReadTokens);
  const cacheWriteTokens = sum((t) => t.cacheWriteTokens);
  const prompt = inputTokens + cacheReadTokens + cacheWriteTokens;
  return {
    calls: events.length,
    inputTokens,
    outputTokens: sum((t) => t.outputTokens),
    cacheReadTokens,
    cacheWriteTokens,
    costUsd: roundUsd(events.reduce((total, event) => total + event.data.costUsd, 0)),
    cacheHitShare: prompt === 0 ? 0 : Math.round((cacheReadTokens / prompt) * 10_000) / 10_000,
  };
}
