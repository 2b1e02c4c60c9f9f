import { beforeEach, describe, expect, it } from "vitest";
import type { Workflow } from "../../../core/src/workflow/Workflow";
import { reply, toolUse } from "../../../../tests/support/fakeAnthropic";
import { useClaudeRuntime } from "../../../../tests/support/runtime";
import { cancelAllActive, ofType } from "../../../../tests/support/workflows";
import { runCli } from "../support/cli";

// Claude agents against the fake Messages API, which bills each call (the demo model is free).
const { fake, fixture } = await useClaudeRuntime({ AMELIA_MAX_TOKENS: "1000" });
const amelia = (args: string[]) => runCli(args, { env: { AMELIA_API_URL: fixture.runtime.url } });

beforeEach(async () => {
  await cancelAllActive(fixture.api);
  fake.reset();
});

/** Starts a workflow whose budget cannot pay even the architect's first call. */
async function startAtBudgetGate(issueId: string): Promise<string> {
  const started = await amelia(["start", issueId, "--no-repo", "--budget", "0.001", "--follow"]);
  expect(started.code).toBe(0);
  const id = started.stdout.split("\n")[0]!;
  expect(started.stdout).toMatch(/approval_required +The architect stopped before a model call/);
  // --follow stops at the budget gate, and says what to run there.
  expect(started.stderr).toContain(
    `Waiting for more budget: amelia budget ${id} 0.01  or  amelia cancel ${id}`,
  );
  return id;
}

describe("amelia start --budget", () => {
  it("gives the workflow its budget (--json shows it)", async () => {
    fake.script("architect", reply(toolUse("submit_plan", { plan: "# Plan" })));
    const { code, stdout } = await amelia([
      "start",
      "CLI-BUDGET-1",
      "--no-repo",
      "--budget",
      "5",
      "--json",
    ]);
    expect(code).toBe(0);
    const workflow = JSON.parse(stdout) as Workflow;
    expect(workflow.budgetUsd).toBe(5);
    await fixture.api.waitFor(workflow.id, (w) => w.gate === "plan");
    const detail = await amelia(["status", workflow.id]);
    expect(detail.stdout).toMatch(/^Budget {6}\$0\.0\d{3} spent of \$5\.00$/m);
  });
});

describe("amelia budget", () => {
  it("at the budget gate: status says how to raise it, approve is refused, and a raise continues the stage", async () => {
    const id = await startAtBudgetGate("CLI-BUDGET-2");
    const detail = await amelia(["status", id]);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain("Status      blocked (budget gate)\nStage       architect");
    expect(detail.stdout).toContain("Budget      $0.0000 spent of $0.001");
    expect(detail.stdout.trimEnd().split("\n").at(-1)).toBe(
      `Waiting for more budget: amelia budget ${id} 0.01  or  amelia cancel ${id}`,
    );

    const approved = await amelia(["approve", id]);
    expect(approved.code).toBe(1);
    expect(approved.stderr).toMatch(/^error INVALID_STATE: .*waits for more budget/);

    fake.script("architect", reply(toolUse("submit_plan", { plan: "# Plan\n\n1. Go on." })));
    const raised = await amelia(["budget", id, "2.50"]);
    expect(raised.stderr).toBe("");
    expect(raised.code).toBe(0);
    expect(raised.stdout).toBe(
      `Raised the budget of ${id} to $2.50: in_progress, stage architect\n`,
    );
    const planned = await fixture.api.waitFor(id, (w) => w.gate === "plan");
    expect(planned).toMatchObject({ budgetUsd: 2.5, plan: "# Plan\n\n1. Go on." });
    expect(fake.requestsOf("architect")).toHaveLength(1);

    const events = await fixture.api.events(id);
    expect(ofType(events, "budget_raised").map((e) => e.data)).toEqual([
      { budgetUsd: 2.5, previousUsd: 0.001, by: { source: "api" } },
    ]);
    const logs = await amelia(["logs", id]);
    expect(logs.stdout).toMatch(/human +budget_raised +Budget raised to \$2\.5 {2}by API$/m);
  });

  it("the server's refusal of a budget not above what was spent: its message, exit 1", async () => {
    const id = await startAtBudgetGate("CLI-BUDGET-3");
    fake.script("architect", reply(toolUse("submit_plan", { plan: "# Plan" })));
    expect((await amelia(["budget", id, "1"])).code).toBe(0);
    const planned = await fixture.api.waitFor(id, (w) => w.gate === "plan");
    expect(planned.usage.costUsd).toBeGreaterThan(0.001);

    const refused = await amelia(["budget", id, "0.001"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(
      /^error VALIDATION_ERROR: Invalid budgetUsd: must be more than the \$0\.\d{4} already spent\n$/,
    );
    const json = await amelia(["budget", id, "0.001", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "budgetUsd" }],
    });
    expect((await fixture.api.get(id)).body).toMatchObject({ budgetUsd: 1, gate: "plan" });
  });

  it("a bad number is a usage error naming it, exit 2, and nothing is sent", async () => {
    const id = await startAtBudgetGate("CLI-BUDGET-4");
    const before = await fixture.api.events(id);
    for (const usd of ["ten", "0", "10001"]) {
      const { code, stdout, stderr } = await amelia(["budget", id, usd]);
      expect(code, usd).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toMatch(new RegExp(`^error USAGE_ERROR: The budget "${usd}" must be`));
    }
    expect(await fixture.api.events(id)).toEqual(before);
  });

  it("a cancelled workflow takes no more budget (INVALID_STATE, exit 1); an unknown one is NOT_FOUND", async () => {
    const id = await startAtBudgetGate("CLI-BUDGET-5");
    expect((await amelia(["cancel", id])).code).toBe(0);
    const cancelled = await amelia(["budget", id, "5"]);
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toMatch(/^error INVALID_STATE: /);

    const unknown = await amelia(["budget", "no-such-workflow", "5"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("error NOT_FOUND: Workflow no-such-workflow not found\n");
  });
});
