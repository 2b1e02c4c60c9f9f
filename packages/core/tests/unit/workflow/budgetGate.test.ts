import { describe, expect, it } from "vitest";
import { InvalidStateError, ValidationError } from "../../../src/errors";
import { memoryDomain } from "../../support/memoryDomain";

/** A workflow with a $1 budget that spent $0.75 and stopped at the budget gate. */
async function atBudgetGate(domain = memoryDomain()) {
  const { id } = await domain.workflows.create({ issueId: "BUDGET-1", budgetUsd: 1 });
  await domain.workflows.record(id, {
    type: "token_usage",
    agent: "architect",
    level: "info",
    message: "usage",
    data: {
      model: "m",
      tokens: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      costUsd: 0.75,
    },
  });
  await domain.gates.open(id, "budget", "token-budget");
  return { domain, id };
}

describe("the budget gate", () => {
  it("asks for more budget with what was spent, the stage unchanged", async () => {
    const { domain, id } = await atBudgetGate();
    const workflow = await domain.workflows.get(id);
    expect(workflow).toMatchObject({
      status: "blocked",
      gate: "budget",
      stage: "architect",
      budgetUsd: 1,
    });
    const asked = (await domain.workflows.history(id)).at(-1);
    expect(asked).toMatchObject({
      type: "approval_required",
      data: { gate: "budget", spentUsd: 0.75, budgetUsd: 1 },
    });
  });

  it("opens to more budget: the raise is recorded and the execution told to go on", async () => {
    const { domain, id } = await atBudgetGate();
    const raised = await domain.gates.raiseBudget(id, 2, { source: "github", login: "mona" });
    expect(raised).toMatchObject({ status: "in_progress", budgetUsd: 2 });
    expect(domain.executions.decisions).toEqual([
      { taskToken: "token-budget", decision: { approved: true } },
    ]);
    const types = (await domain.workflows.history(id)).slice(-2).map((event) => event.type);
    expect(types).toEqual(["budget_raised", "approval_granted"]);
  });

  it("refuses approve and reject there, and a budget not above what was spent, changing nothing", async () => {
    const { domain, id } = await atBudgetGate();
    await expect(domain.gates.approve(id)).rejects.toBeInstanceOf(InvalidStateError);
    await expect(domain.gates.reject(id, "no")).rejects.toBeInstanceOf(InvalidStateError);
    await expect(domain.gates.raiseBudget(id, 0.75)).rejects.toBeInstanceOf(ValidationError);
    expect(await domain.workflows.get(id)).toMatchObject({
      status: "blocked",
      gate: "budget",
      budgetUsd: 1,
    });
    expect(domain.executions.decisions).toEqual([]);
  });

  it("raised before any gate, holds from the next call without a decision", async () => {
    const domain = memoryDomain();
    const { id } = await domain.workflows.create({ issueId: "BUDGET-2", budgetUsd: 1 });
    expect(await domain.gates.raiseBudget(id, 3)).toMatchObject({
      status: "in_progress",
      budgetUsd: 3,
    });
    expect(domain.executions.decisions).toEqual([]);
  });

  it("takes the configured default when a create names none", async () => {
    const domain = memoryDomain({ defaultBudgetUsd: 5 });
    const { id } = await domain.workflows.create({ issueId: "BUDGET-3" });
    expect((await domain.workflows.get(id)).budgetUsd).toBe(5);
  });
});
