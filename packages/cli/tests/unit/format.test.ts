import { stripVTControlCharacters } from "node:util";
import picocolors from "picocolors";
import { describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../../core/src/events/types";
import type { Workflow } from "../../../core/src/workflow/Workflow";
import {
  age,
  budgetDollars,
  eventLine,
  nextSteps,
  workflowDetail,
  workflowTable,
} from "../../src/format";

const plain = picocolors.createColors(false);
const coloured = picocolors.createColors(true);
const NOW = Date.parse("2026-01-01T12:00:00.000Z");

function workflow(overrides: Partial<Workflow> = {}): Workflow {
  return {
    id: "11111111-2222-3333-4444-555555555555",
    kind: "issue",
    issueId: "ISSUE-1",
    model: "amelia-demo",
    status: "in_progress",
    stage: "developer",
    iteration: { plan: 1, review: 0 },
    usage: {
      inputTokens: 12_345,
      outputTokens: 678,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.0421,
    },
    lastSequence: 9,
    createdAt: "2026-01-01T11:00:00.000Z",
    updatedAt: "2026-01-01T11:58:00.000Z",
    ...overrides,
  };
}

describe("workflowTable", () => {
  it("aligns every column under its heading, without borders or colour when colour is off", () => {
    const rows = [
      workflow({ issueId: "A-1", title: "Short" }),
      workflow({
        id: "x",
        issueId: "A-LONGER-ISSUE",
        status: "blocked",
        gate: "plan",
        stage: "plan_approval",
        updatedAt: "2026-01-01T11:59:30.000Z",
      }),
    ];
    const lines = workflowTable(rows, plain, NOW).split("\n");
    expect(lines).toHaveLength(3);
    expect(stripVTControlCharacters(lines.join(""))).toBe(lines.join(""));
    const columns = ["ISSUE", "STATUS", "STAGE", "UPDATED", "TITLE"].map((h) =>
      lines[0]!.indexOf(h),
    );
    expect(lines[1]!.indexOf("A-1")).toBe(columns[0]);
    expect(lines[2]!.indexOf("A-LONGER-ISSUE")).toBe(columns[0]);
    expect(lines[1]!.indexOf("in_progress")).toBe(columns[1]);
    expect(lines[2]!.indexOf("blocked (plan gate)")).toBe(columns[1]);
    expect(lines[2]!.indexOf("plan_approval")).toBe(columns[2]);
    expect(lines[1]!.indexOf("2m ago")).toBe(columns[3]);
    expect(lines[2]!.indexOf("30s ago")).toBe(columns[3]);
    expect(lines[1]!.indexOf("Short")).toBe(columns[4]);
    expect(lines.every((line) => line === line.trimEnd())).toBe(true);
  });

  it("colours the status when colour is on, and stays aligned", () => {
    const text = workflowTable([workflow({ status: "failed" })], coloured, NOW);
    expect(text).toContain(coloured.red("failed"));
    const [head, row] = stripVTControlCharacters(text).split("\n");
    expect(row!.indexOf("failed")).toBe(head!.indexOf("STATUS"));
  });
});

describe("workflowDetail", () => {
  it("shows the fields, the plan and review, and what to run at a gate", () => {
    const text = workflowDetail(
      workflow({
        status: "blocked",
        gate: "review",
        stage: "review_approval",
        title: "Greet users",
        branch: "amelia/ISSUE-1",
        plan: "# Plan\n\n1. Greet",
        review: { approved: false, severity: "major", comments: ["Add a test"] },
      }),
      plain,
      NOW,
    );
    expect(text).toContain("Issue       ISSUE-1  Greet users");
    expect(text).toContain("Status      blocked (review gate)");
    expect(text).toContain("Repository  scratch repository (none given)");
    expect(text).toContain(
      "Usage       12,345 input, 678 output, 0 cache read, 0 cache write tokens; $0.0421",
    );
    expect(text).toContain("Updated     2026-01-01T11:58:00.000Z (2m ago)");
    expect(text).toContain("Plan\n  # Plan\n\n  1. Greet");
    expect(text).toContain("Review\n  changes requested, severity major\n  - Add a test");
    expect(text.split("\n").at(-1)).toBe(
      `Waiting at the review gate: amelia approve ${workflow().id}  or  amelia reject ${workflow().id} "<feedback>"`,
    );
    expect(text).not.toContain("Failure");
  });

  it("prints the latest checks as a table, after the plan, failing ones red when colour is on", () => {
    const checks = {
      round: 2,
      runId: "run-2",
      passed: false,
      results: [
        { name: "typecheck", exitCode: 0, durationMs: 4_200, timedOut: false },
        { name: "test", exitCode: 1, durationMs: 95_000, timedOut: false },
        { name: "e2e", exitCode: 137, durationMs: 600_000, timedOut: true },
      ],
    };
    const text = workflowDetail(workflow({ plan: "1. Greet", checks }), plain, NOW);
    const lines = text.split("\n");
    const start = lines.indexOf("Checks");
    expect(start).toBeGreaterThan(lines.indexOf("Plan"));
    expect(lines.slice(start, start + 6)).toEqual([
      "Checks",
      "  Round 2: 2 of 3 failing",
      "  CHECK      RESULT           DURATION",
      "  typecheck  passed           4.2s",
      "  test       failed (exit 1)  1m 35s",
      "  e2e        timed out        10m 0s",
    ]);

    const painted = workflowDetail(workflow({ checks }), coloured, NOW);
    expect(painted).toContain(coloured.red("failed (exit 1)"));
    expect(painted).toContain(coloured.red("timed out"));
    expect(painted).toContain(coloured.green("passed"));
    expect(painted).toContain(coloured.red("2 of 3 failing"));
  });

  it("says when every check of the latest round passed, and prints no checks before any ran", () => {
    const checks = {
      round: 1,
      runId: "run-1",
      passed: true,
      results: [{ name: "test", exitCode: 0, durationMs: 400, timedOut: false }],
    };
    const text = workflowDetail(workflow({ checks }), plain, NOW);
    expect(text).toContain(
      "Checks\n  Round 1: all passed\n  CHECK  RESULT  DURATION\n  test   passed  0.4s",
    );
    expect(workflowDetail(workflow(), plain, NOW)).not.toContain("Checks");
  });

  it("links the pull request of a workflow completed on GitHub", () => {
    const text = workflowDetail(
      workflow({
        status: "completed",
        stage: "done",
        repository: "octo-org/app",
        pullRequestUrl: "https://github.com/octo-org/app/pull/7",
      }),
      plain,
      NOW,
    );
    expect(text).toContain("Pull request  https://github.com/octo-org/app/pull/7");
    expect(text).toContain("Repository    octo-org/app");
  });

  it("shows a revision's original workflow, the pull request it revises, and who started it", () => {
    const text = workflowDetail(
      workflow({
        kind: "revision",
        issueId: "octo-org/app#7",
        revisionOf: "wf-original",
        pullRequestUrl: "https://github.com/octo-org/app/pull/7",
        startedBy: { source: "github", login: "mona" },
      }),
      plain,
      NOW,
    );
    expect(text).toContain(
      "Kind          revision\nRevision of   wf-original\nIssue         octo-org/app#7",
    );
    expect(text).toContain("Pull request  https://github.com/octo-org/app/pull/7");
    expect(text).toContain("Started by    @mona (GitHub)");
    expect(text).not.toContain("Revisions");
  });

  it("lists an original's revisions, oldest first, and says it was started through the API", () => {
    const text = workflowDetail(
      workflow({
        status: "completed",
        stage: "done",
        startedBy: { source: "api" },
        revisions: ["wf-2", "wf-3"],
        plan: "1. Greet",
      }),
      plain,
      NOW,
    );
    expect(text).toContain("Kind        issue");
    expect(text).not.toContain("Revision of");
    expect(text).toContain("Started by  API");
    expect(text).toContain("Revisions\n  1. wf-2\n  2. wf-3\n\nPlan");
  });

  it("says nothing of who started a workflow whose log does not tell", () => {
    expect(workflowDetail(workflow(), plain, NOW)).not.toContain("Started by");
  });

  it("shows what a workflow spent of its budget, or that it has none", () => {
    expect(workflowDetail(workflow({ budgetUsd: 5 }), plain, NOW)).toContain(
      "Budget      $0.0421 spent of $5.00",
    );
    expect(workflowDetail(workflow(), plain, NOW)).toContain("Budget      none (no limit)");
  });

  it("at the budget gate, says how to raise the budget: to double, or cancel", () => {
    const text = workflowDetail(
      workflow({ status: "blocked", gate: "budget", stage: "developer", budgetUsd: 0.04 }),
      plain,
      NOW,
    );
    const id = workflow().id;
    expect(text).toContain("Status      blocked (budget gate)\nStage       developer");
    expect(text).toContain("Budget      $0.0421 spent of $0.04");
    expect(text.split("\n").at(-1)).toBe(
      `Waiting for more budget: amelia budget ${id} 0.09  or  amelia cancel ${id}`,
    );
    expect(text).not.toContain("amelia approve");
  });

  it("shows why a workflow failed and how to resume it", () => {
    const text = workflowDetail(
      workflow({ status: "failed", failureReason: "The developer stage failed: boom" }),
      plain,
      NOW,
    );
    expect(text).toContain("Failure     The developer stage failed: boom");
    expect(text.split("\n").at(-1)).toBe(
      `To retry from the failed stage: amelia resume ${workflow().id}`,
    );
  });
});

describe("nextSteps", () => {
  it("is only for a workflow that waits for a person or failed", () => {
    expect(nextSteps(workflow({ status: "completed" }))).toBeUndefined();
    expect(nextSteps(workflow({ status: "in_progress" }))).toBeUndefined();
  });

  it("at the budget gate, names no amount when it does not know the budget", () => {
    expect(nextSteps({ id: "wf-1", status: "blocked", gate: "budget" })).toBe(
      "Waiting for more budget: amelia budget wf-1 <usd>  or  amelia cancel wf-1",
    );
  });
});

describe("budgetDollars", () => {
  it.each([
    [5, "$5.00"],
    [2.5, "$2.50"],
    [0.29, "$0.29"],
    [0.125, "$0.125"],
    [10_000, "$10000.00"],
  ])("%s is %s", (usd, text) => {
    expect(budgetDollars(usd)).toBe(text);
  });
});

describe("eventLine", () => {
  const base = {
    id: "e",
    workflowId: "w",
    timestamp: "2026-01-01T12:00:00.000Z",
    agent: "architect",
    level: "info",
    data: {},
  } as const;

  it("puts sequence, time, agent, type and message in fixed columns", () => {
    const a = eventLine(
      { ...base, sequence: 7, type: "stage_started", message: "Planning" } as WorkflowEvent,
      plain,
    );
    const b = eventLine(
      {
        ...base,
        sequence: 123,
        agent: "human",
        type: "approval_granted",
        message: "Plan approved",
      } as WorkflowEvent,
      plain,
    );
    // The longest type still leaves the message column where it is.
    const c = eventLine(
      {
        ...base,
        sequence: 8,
        type: "instructions_loaded",
        message: "From AGENTS.md",
      } as WorkflowEvent,
      plain,
    );
    expect(a).toMatch(/^ {3}7 {2}\d\d:\d\d:\d\d {2}architect {2}stage_started {8}Planning$/);
    expect(a.indexOf("Planning")).toBe(b.indexOf("Plan approved"));
    expect(c.indexOf("From AGENTS.md")).toBe(a.indexOf("Planning"));
    expect(a.indexOf("stage_started")).toBe(b.indexOf("approval_granted"));
  });

  it("says who decided: a GitHub user, the API, or nothing for a decision logged before", () => {
    const decision = (data: object, type = "approval_granted") =>
      eventLine(
        {
          ...base,
          sequence: 5,
          agent: "human",
          type,
          message: "Plan approved",
          data,
        } as WorkflowEvent,
        plain,
      );
    expect(decision({ gate: "plan", by: { source: "github", login: "octocat" } })).toMatch(
      /approval_granted {5}Plan approved {2}by @octocat \(GitHub\)$/,
    );
    expect(
      decision(
        { gate: "review", feedback: "add tests", by: { source: "api" } },
        "approval_rejected",
      ),
    ).toMatch(/Plan approved {2}by API$/);
    expect(decision({ by: { source: "github", login: "mona" } }, "workflow_cancelled")).toMatch(
      /by @mona \(GitHub\)$/,
    );
    expect(
      decision({ budgetUsd: 2, previousUsd: 1, by: { source: "api" } }, "budget_raised"),
    ).toMatch(/budget_raised +Plan approved {2}by API$/);
    expect(decision({ gate: "plan" })).toMatch(/Plan approved$/);
    const painted = eventLine(
      {
        ...base,
        sequence: 5,
        type: "approval_granted",
        message: "Plan approved",
        data: { gate: "plan", by: { source: "api" } },
      } as WorkflowEvent,
      coloured,
    );
    expect(painted).toContain(coloured.dim("by API"));
  });

  it("indents a message's further lines under its first", () => {
    const line = eventLine(
      { ...base, sequence: 1, type: "agent_message", message: "one\ntwo" } as WorkflowEvent,
      plain,
    );
    const [first, second] = line.split("\n");
    expect(second!.indexOf("two")).toBe(first!.indexOf("one"));
    expect(second!.trim()).toBe("two");
  });

  it("paints errors red when colour is on", () => {
    const line = eventLine(
      {
        ...base,
        sequence: 2,
        type: "system_error",
        level: "error",
        message: "boom",
      } as WorkflowEvent,
      coloured,
    );
    expect(line).toContain(coloured.red("boom"));
  });
});

describe("age", () => {
  it.each([
    ["2026-01-01T11:59:59.000Z", "1s ago"],
    ["2026-01-01T11:55:00.000Z", "5m ago"],
    ["2026-01-01T09:00:00.000Z", "3h ago"],
    ["2025-12-29T12:00:00.000Z", "3d ago"],
    ["2026-01-01T12:00:05.000Z", "0s ago"],
  ])("%s is %s", (iso, expected) => {
    expect(age(iso, NOW)).toBe(expected);
  });
});
