import { describe, expect, it } from "vitest";
import { decidedBy } from "../../src/actors";
import { makeEvent } from "../support/events";

const github = { source: "github", login: "octocat" } as const;

describe("decidedBy", () => {
  it("is who approved, rejected, cancelled or raised the budget", () => {
    expect(
      decidedBy(makeEvent(1, { type: "approval_granted", data: { gate: "plan", by: github } })),
    ).toEqual(github);
    expect(
      decidedBy(
        makeEvent(2, {
          type: "approval_rejected",
          data: { gate: "review", feedback: "add tests", by: { source: "api" } },
        }),
      ),
    ).toEqual({ source: "api" });
    expect(decidedBy(makeEvent(3, { type: "workflow_cancelled", data: { by: github } }))).toEqual(
      github,
    );
    expect(
      decidedBy(
        makeEvent(4, { type: "budget_raised", data: { budgetUsd: 2, previousUsd: 1, by: github } }),
      ),
    ).toEqual(github);
  });

  it("is nobody for a decision logged without it, and for events that decide nothing", () => {
    expect(
      decidedBy(makeEvent(1, { type: "approval_granted", data: { gate: "plan" } })),
    ).toBeUndefined();
    const revision = {
      revisionId: "wf-2",
      pullRequestUrl: "https://github.com/o/r/pull/1",
      by: github,
    };
    expect(decidedBy(makeEvent(2, { type: "revision_created", data: revision }))).toBeUndefined();
  });
});
