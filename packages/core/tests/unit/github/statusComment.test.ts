import { describe, expect, it } from "vitest";
import { statusCommentBody } from "../../../src/github/statusComment";
import { parseCommand } from "../../../src/github/commands";
import { emptyUsage, type Workflow } from "../../../src/workflow/Workflow";

function workflow(overrides: Partial<Workflow>): Workflow {
  return {
    id: "0b7a6c7e-1111-2222-3333-444455556666",
    kind: "issue",
    issueId: "octo-org/app#7",
    branch: "amelia/octo-org/app#7",
    model: "amelia-demo",
    status: "in_progress",
    stage: "architect",
    iteration: { plan: 1, review: 0 },
    usage: emptyUsage(),
    lastSequence: 3,
    createdAt: "2026-12-02T06:00:00.000Z",
    updatedAt: "2026-12-02T06:00:01.000Z",
    ...overrides,
  };
}

describe("the status comment says where the workflow is", () => {
  it("is marked as the workflow's, and never reads as a command", () => {
    const body = statusCommentBody(workflow({}));
    expect(body.startsWith("<!-- amelia:status 0b7a6c7e-1111-2222-3333-444455556666 -->")).toBe(
      true,
    );
    expect(parseCommand(body)).toBeUndefined();
    expect(body).toContain("the architect is planning");
  });

  it("shows the plan at the plan gate, fenced so it can neither mention nor inject, with how to decide", () => {
    const plan = "1. Ping @octocat\n2. ```\n<script>alert(1)</script>\n```";
    const body = statusCommentBody(
      workflow({ status: "blocked", gate: "plan", stage: "plan_approval", plan }),
    );
    expect(body).toContain("The plan is ready");
    expect(body).toContain("````text\n" + plan + "\n````");
    expect(body).toContain("`/amelia approve`");
    expect(body).toContain("`/amelia reject <what to change>`");
  });

  it("gives the review gate's reason: the review's comments, or the checks that still fail", () => {
    const review = statusCommentBody(
      workflow({
        status: "blocked",
        gate: "review",
        stage: "review_approval",
        iteration: { plan: 1, review: 3 },
        review: { approved: false, severity: "major", comments: ["src/a.ts:3 — handle null"] },
      }),
    );
    expect(review).toContain("the reviewer still asks for changes after 3 rounds");
    expect(review).toContain("src/a.ts:3 — handle null");
    const checks = statusCommentBody(
      workflow({
        status: "blocked",
        gate: "review",
        stage: "review_approval",
        checks: {
          round: 3,
          runId: "run-1",
          passed: false,
          results: [
            { name: "lint", exitCode: 0, durationMs: 5, timedOut: false },
            { name: "test", exitCode: 1, durationMs: 9, timedOut: false },
          ],
        },
      }),
    );
    expect(checks).toContain("the checks still fail after the rounds allowed (test)");
  });

  it("ends with the pull request, the failure's reason, or the cancellation", () => {
    expect(
      statusCommentBody(
        workflow({
          status: "completed",
          stage: "done",
          pullRequestUrl: "https://github.com/octo-org/app/pull/9",
        }),
      ),
    ).toContain("Completed: https://github.com/octo-org/app/pull/9");
    expect(
      statusCommentBody(
        workflow({ status: "failed", stage: "developer", failureReason: "The model\nrefused" }),
      ),
    ).toContain("Failed at the developer stage: The model refused");
    expect(statusCommentBody(workflow({ status: "cancelled" }))).toContain("Cancelled");
  });

  it("speaks of the pull request for a revision", () => {
    expect(statusCommentBody(workflow({ kind: "revision", stage: "developer" }))).toContain(
      "revision of this pull request",
    );
  });
});
