import { describe, expect, it } from "vitest";
import { createWorkflowSchema } from "@amelia/core/workflow/Workflow";
import { MAX_BUDGET_USD } from "@amelia/core/definitions/limits";
import { parseBudget, suggestedBudget } from "../../src/budget";

describe("parseBudget", () => {
  it("reads dollars as people type them", () => {
    expect(parseBudget("5")).toEqual({ budgetUsd: 5 });
    expect(parseBudget(" 2.50 ")).toEqual({ budgetUsd: 2.5 });
    expect(parseBudget(".5")).toEqual({ budgetUsd: 0.5 });
    expect(parseBudget("$12")).toEqual({ budgetUsd: 12 });
    expect(parseBudget("10000")).toEqual({ budgetUsd: 10_000 });
  });

  it.each(["", "abc", "1,5", "-1", "1e3", "5 USD", "$", "2..5", "Infinity"])(
    "refuses %o as not a number of dollars",
    (text) => {
      expect(parseBudget(text)).toEqual({
        problem: "must be a number of US dollars, e.g. 5 or 2.50",
      });
    },
  );

  it("refuses what the API's schema refuses, with its words", () => {
    expect(parseBudget("0")).toEqual({ problem: "must be more than 0" });
    expect(parseBudget("0.00")).toEqual({ problem: "must be more than 0" });
    expect(parseBudget("10000.01")).toEqual({ problem: "must be at most 10000 US dollars" });
    for (const budgetUsd of [0, 10_000.01]) {
      const refused = createWorkflowSchema.safeParse({ issueId: "ISSUE-1", budgetUsd });
      const message = refused.error?.issues[0]?.message;
      expect({ problem: message }).toEqual(parseBudget(String(budgetUsd)));
    }
  });
});

describe("suggestedBudget", () => {
  it("doubles the budget reached, in whole cents up", () => {
    expect(suggestedBudget(1, 1.02)).toBe(2.04);
    expect(suggestedBudget(1, 0.99)).toBe(2);
    expect(suggestedBudget(0.1, 0.05)).toBe(0.2);
    expect(suggestedBudget(0.105, 0)).toBe(0.21);
  });

  it("never offers more than the API takes", () => {
    expect(suggestedBudget(6_000, 5_999)).toBe(MAX_BUDGET_USD);
  });
});
