import { describe, expect, it } from "vitest";
import type { NewEvent, WorkflowEvent } from "../../../src/events/types";
import { applyEvent, replay } from "../../../src/workflow/projection";

let sequence = 0;
function stored(event: NewEvent): WorkflowEvent {
  sequence += 1;
  return {
    ...event,
    id: `e${sequence}`,
    workflowId: "wf-1",
    sequence,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
  } as WorkflowEvent;
}

const created = (): NewEvent => ({
  type: "workflow_created",
  agent: "system",
  level: "info",
  message: "created",
  data: { issueId: "ISSUE-1", title: "Add login", branch: "amelia/ISSUE-1", model: "demo" },
});
const system = (type: NewEvent["type"], data: unknown): NewEvent =>
  ({ type, agent: "system", level: "info", message: type, data }) as NewEvent;

describe("the workflow projection", () => {
  it("starts pending from workflow_created", () => {
    sequence = 0;
    const workflow = replay([stored(created())]);
    expect(workflow).toMatchObject({
      id: "wf-1",
      issueId: "ISSUE-1",
      title: "Add login",
      status: "pending",
      stage: "architect",
      lastSequence: 1,
      iteration: { plan: 0, review: 0 },
    });
  });

  it("follows a workflow through a plan gate, review rounds and completion", () => {
    sequence = 0;
    const workflow = replay(
      [
        created(),
        system("workflow_started", { executionArn: "arn" }),
        system("stage_started", { stage: "architect", round: 1 }),
        system("plan_created", { plan: "# Plan", round: 1 }),
        system("approval_required", { gate: "plan", plan: "# Plan" }),
      ].map(stored),
    );
    expect(workflow).toMatchObject({
      status: "blocked",
      gate: "plan",
      stage: "plan_approval",
      plan: "# Plan",
    });

    const after = [
      system("approval_granted", { gate: "plan" }),
      system("stage_started", { stage: "developer", round: 1 }),
      system("review_completed", {
        approved: false,
        severity: "minor",
        comments: ["fix"],
        round: 1,
      }),
      system("token_usage", {
        model: "m",
        tokens: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 3, cacheWriteTokens: 2 },
        costUsd: 0.1,
      }),
      system("token_usage", {
        model: "m",
        tokens: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
        costUsd: 0.2,
      }),
      system("review_completed", { approved: true, severity: "none", comments: [], round: 2 }),
      system("workflow_completed", { branch: "amelia/ISSUE-1" }),
    ]
      .map(stored)
      .reduce(applyEvent, workflow!);
    expect(after).toMatchObject({
      status: "completed",
      stage: "done",
      iteration: { plan: 1, review: 2 },
      review: { approved: true, severity: "none", comments: [] },
      usage: {
        inputTokens: 11,
        outputTokens: 6,
        cacheReadTokens: 3,
        cacheWriteTokens: 2,
        costUsd: 0.3,
      },
      completedAt: after.updatedAt,
    });
    expect(after.gate).toBeUndefined();
  });

  it("keeps the pull request a completion names", () => {
    sequence = 0;
    const url = "https://github.com/octo/project/pull/4";
    const workflow = replay(
      [
        created(),
        system("workflow_started", { executionArn: "a" }),
        system("workflow_completed", { branch: "amelia/ISSUE-1", pullRequestUrl: url }),
      ].map(stored),
    );
    expect(workflow).toMatchObject({ status: "completed", pullRequestUrl: url });
  });

  it("records the failure reason", () => {
    sequence = 0;
    const workflow = replay(
      [
        created(),
        system("workflow_started", { executionArn: "a" }),
        system("workflow_failed", { reason: "boom" }),
      ].map(stored),
    );
    expect(workflow).toMatchObject({ status: "failed", failureReason: "boom" });
  });

  it("makes a resumed workflow active again, without its failure", () => {
    sequence = 0;
    const workflow = replay(
      [
        created(),
        system("workflow_started", { executionArn: "a" }),
        system("stage_started", { stage: "developer", round: 1 }),
        system("workflow_failed", { reason: "boom", stage: "developer" }),
        system("workflow_resumed", { stage: "developer", failureReason: "boom" }),
      ].map(stored),
    );
    expect(workflow).toMatchObject({ status: "in_progress", stage: "developer" });
    expect(workflow?.failureReason).toBeUndefined();
    expect(workflow?.completedAt).toBeUndefined();
    // Only a failed workflow resumes: a cancelled one stays cancelled.
    sequence = 0;
    const cancelled = replay(
      [
        created(),
        system("workflow_cancelled", {}),
        system("workflow_resumed", { stage: "architect" }),
      ].map(stored),
    );
    expect(cancelled?.status).toBe("cancelled");
  });

  it("lets nothing change a terminal workflow", () => {
    sequence = 0;
    const cancelled = replay(
      [
        created(),
        system("workflow_started", { executionArn: "a" }),
        system("workflow_cancelled", {}),
        system("plan_created", { plan: "late", round: 1 }),
        system("workflow_completed", {}),
      ].map(stored),
    );
    expect(cancelled).toMatchObject({ status: "cancelled", lastSequence: 5 });
    expect(cancelled?.plan).toBeUndefined();
  });

  it("ignores a status change the rules refuse", () => {
    sequence = 0;
    const workflow = replay([created(), system("approval_granted", { gate: "plan" })].map(stored));
    expect(workflow?.status).toBe("pending");
  });

  it("refuses a log that does not start with workflow_created", () => {
    sequence = 0;
    expect(() => replay([stored(system("workflow_started", { executionArn: "a" }))])).toThrow(
      /does not start with workflow_created/,
    );
  });
});
