import { MAX_BUDGET_USD } from "@amelia/core/definitions/limits";

/** Dollars as a person types them: "5", "2.50", ".5", "$12". */
const DOLLARS = /^\$?(\d+(\.\d*)?|\.\d+)$/;

/** A budget a person typed, as the API takes it, or why the API would refuse it. */
export type ParsedBudget = { budgetUsd: number } | { problem: string };

/** Reads a budget the way the API's schema checks it: more than 0, at most MAX_BUDGET_USD. */
export function parseBudget(text: string): ParsedBudget {
  const trimmed = text.trim();
  if (!DOLLARS.test(trimmed)) {
    return { problem: "must be a number of US dollars, e.g. 5 or 2.50" };
  }
  const budgetUsd = Number(trimmed.replace("$", ""));
  if (budgetUsd <= 0) return { problem: "must be more than 0" };
  if (budgetUsd > MAX_BUDGET_USD) {
    return { problem: `must be at most ${MAX_BUDGET_USD} US dollars` };
  }
  return { budgetUsd };
}

/**
 * The budget to offer where a workflow stopped for more: double the one it reached (or what it
 * spent, if that is more), in whole cents, at most MAX_BUDGET_USD.
 */
export function suggestedBudget(budgetUsd: number, spentUsd: number): number {
  const doubled = 2 * Math.max(budgetUsd, spentUsd);
  // Rounded first, so that 0.1 × 2 × 100 does not become 21 cents.
  const cents = Math.ceil(Math.round(doubled * 100 * 1e6) / 1e6);
  return Math.min(cents / 100, MAX_BUDGET_USD);
}
