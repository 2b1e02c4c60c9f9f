import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { demoDocumentPath } from "../../packages/core/src/agents/DemoDriver";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import { oneTo, sequencesOf } from "../support/api";
import { createGitRepository, gitOutput } from "../support/git";
import { useTestRuntime } from "../support/runtime";
import { approveToReviewGate, createAtPlanGate, ofType } from "../support/workflows";

const repositories: string[] = [];

const fixture = useTestRuntime({ env: { AMELIA_MAX_REVIEW_ROUNDS: "1" } });
afterAll(async () => {
  await Promise.all(repositories.map((r) => rm(r, { recursive: true, force: true })));
});

/**
 * Runs a workflow on a real repository up to the review gate: with one review round allowed, the
 * demo reviewer's round-1 "changes requested" (the developer's draft leaves TODO lines) is the cap.
 */
async function atReviewGate(issueId: string): Promise<{ workflow: Workflow; repository: string }> {
  const repository = await createGitRepository();
  repositories.push(repository);
  const planned = await createAtPlanGate(fixture.api, {
    issueId,
    title: "Log greetings",
    description: "Log each greeting. Count greetings per day.",
    repository,
  });
  return { workflow: await approveToReviewGate(fixture.api, planned.id), repository };
}

describe("the review gate at the cap (AMELIA_MAX_REVIEW_ROUNDS=1)", () => {
  it("round 1 requests changes → blocked at the review gate with the review; approve → completed", async () => {
    const { workflow, repository } = await atReviewGate("REV-1");
    expect(workflow).toMatchObject({
      status: "blocked",
      gate: "review",
      stage: "review_approval",
      iteration: { plan: 1, review: 1 },
      review: { approved: false, severity: "minor" },
    });
    expect(workflow.review!.comments.length).toBeGreaterThan(0);
    expect(workflow.review!.comments[0]).toMatch(/resolve this TODO/);

    const before = await fixture.api.events(workflow.id);
    // At the cap the reviewer does not ask for another round: a person decides.
    expect(ofType(before, "revision_requested")).toEqual([]);
    const gates = ofType(before, "approval_required");
    expect(gates.map((e) => e.data.gate)).toEqual(["plan", "review"]);
    expect(gates[1]!.data.review).toEqual(workflow.review);
    expect(before.at(-1)).toEqual(gates[1]);

    const approved = await fixture.api.approve(workflow.id);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("in_progress");
    const done = await fixture.api.waitForStatus(workflow.id, "completed");
    expect(done).toMatchObject({ stage: "done", iteration: { plan: 1, review: 1 } });
    expect(done.gate).toBeUndefined();

    const events = await fixture.api.events(workflow.id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    expect(ofType(events, "approval_granted").map((e) => e.data.gate)).toEqual(["plan", "review"]);
    expect(ofType(events, "stage_started").map((e) => e.data.stage)).toEqual([
      "architect",
      "developer",
      "reviewer",
    ]);
    expect(events.at(-1)?.type).toBe("workflow_completed");
    // The person accepted round 1 as it was: one developer commit on the branch.
    expect(gitOutput(repository, "log", "--format=%s", "main..amelia/REV-1")).toBe(
      "amelia(REV-1): developer round 1",
    );
  });

  it("reject with feedback → the developer revises with it, and the clean round 2 completes", async () => {
    const { workflow, repository } = await atReviewGate("REV-2");
    const feedback = "Also log the user's locale.\nAnd fix the TODO about time zones";

    const rejected = await fixture.api.reject(workflow.id, feedback);
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("in_progress");

    // Round 2 leaves no TODO, so the reviewer approves it: the workflow completes without coming
    // back to the gate, even though the cap of one round is used up.
    const done = await fixture.api.waitForStatus(workflow.id, "completed");
    expect(done).toMatchObject({
      stage: "done",
      iteration: { plan: 1, review: 2 },
      review: { approved: true, severity: "none", comments: [] },
    });

    const events = await fixture.api.events(workflow.id);
    expect(sequencesOf(events)).toEqual(oneTo(events.length));
    const rejection = ofType(events, "approval_rejected");
    expect(rejection).toHaveLength(1);
    expect(rejection[0]!.data).toEqual({ gate: "review", feedback, by: { source: "api" } });
    expect(ofType(events, "approval_required").map((e) => e.data.gate)).toEqual(["plan", "review"]);
    const developer = ofType(events, "stage_started").filter((e) => e.data.stage === "developer");
    expect(developer.map((e) => e.data.round)).toEqual([1, 2]);
    expect(developer[1]!.sequence).toBeGreaterThan(rejection[0]!.sequence);
    expect(ofType(events, "review_completed").map((e) => e.data.approved)).toEqual([false, true]);

    // The feedback reached the developer: round 2's document quotes it and says it addressed it,
    // and its commit is on the branch after round 1's.
    const document = gitOutput(repository, "show", `amelia/REV-2:${demoDocumentPath("REV-2")}`);
    expect(document).toContain("## Feedback from the review gate");
    expect(document).toContain("> Also log the user's locale.");
    // Quoted safely: a TODO in the person's words must not make the reviewer flag it again.
    expect(document).toContain("> And fix the to-do about time zones");
    expect(document).toContain("Addressed in round 2.");
    expect(document).toContain("## Review responses");
    expect(document).not.toContain("TODO");
    expect(gitOutput(repository, "log", "--format=%s", "main..amelia/REV-2").split("\n")).toEqual([
      "amelia(REV-2): developer round 2",
      "amelia(REV-2): developer round 1",
    ]);
    const summary = ofType(events, "stage_completed").filter(
      (e) => e.data.stage === "developer" && e.sequence > rejection[0]!.sequence,
    );
    expect(summary).toHaveLength(1);
    expect(summary[0]!.message).toMatch(/resolved \d+ review comments?/);
  });

  it("reject with empty feedback at the review gate → 400, still blocked at the review gate", async () => {
    const { workflow } = await atReviewGate("REV-3");
    expect((await fixture.api.reject(workflow.id, "  ")).status).toBe(400);
    expect((await fixture.api.get(workflow.id)).body).toMatchObject({
      status: "blocked",
      gate: "review",
    });
    expect((await fixture.api.cancel(workflow.id)).status).toBe(200);
  });
});
