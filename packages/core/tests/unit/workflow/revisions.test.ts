import { describe, expect, it } from "vitest";
import { InvalidStateError, WorkflowConflictError } from "../../../src/errors";
import type { Actor } from "../../../src/events/types";
import { replay } from "../../../src/workflow/projection";
import { createAtGate, memoryDomain } from "../../support/memoryDomain";

const MONA: Actor = { source: "github", login: "mona" };
const PULL = { number: 12, url: "https://github.com/octo-org/app/pull/12" };
const REQUEST = {
  text: "Document the toggle",
  comments: [{ path: "README.md", line: 3, body: "Mention it here", author: "mona" }],
};

/** A workflow on octo-org/app#7 that completed with a pull request, as the finish task ends it. */
async function completedWithPullRequest(domain: ReturnType<typeof memoryDomain>) {
  const created = await domain.workflows.create(
    { issueId: "octo-org/app#7", title: "Dark mode", repository: "octo-org/app" },
    MONA,
  );
  await domain.workflows.record(created.id, {
    type: "plan_created",
    agent: "architect",
    level: "info",
    message: "Plan ready",
    data: { plan: "1. Add a toggle", round: 1 },
  });
  await domain.workflows.record(created.id, {
    type: "workflow_completed",
    agent: "system",
    level: "info",
    message: "Done",
    data: { pullRequestUrl: PULL.url },
  });
  return domain.workflows.get(created.id);
}

describe("a revision of a workflow's pull request", () => {
  it("is a workflow of its own on the pull request, on the original's branch, with its plan, starting at the developer", async () => {
    const domain = memoryDomain();
    const original = await completedWithPullRequest(domain);
    const revision = await domain.workflows.revise({
      original,
      pullRequest: PULL,
      request: REQUEST,
      by: MONA,
    });
    expect(revision).toMatchObject({
      kind: "revision",
      issueId: "octo-org/app#12",
      repository: "octo-org/app",
      branch: original.branch,
      plan: "1. Add a toggle",
      revisionOf: original.id,
      pullRequestUrl: PULL.url,
      startedBy: MONA,
      status: "in_progress",
      stage: "developer",
    });
    expect(revision.description).toBe(
      "Document the toggle\n\nComments on the pull request's lines:\n- README.md:3 (@mona): Mention it here",
    );
    expect(domain.executions.calls.at(-1)).toEqual({
      method: "start",
      workflowId: revision.id,
      firstStage: "developer",
    });
    // The original, completed, links it; rebuilt from its log it still does.
    const linked = await domain.workflows.get(original.id);
    expect(linked).toMatchObject({ status: "completed", revisions: [revision.id] });
    expect(replay(await domain.workflows.history(original.id))).toEqual(linked);
  });

  it("starts at the architect when it asks for a plan", async () => {
    const domain = memoryDomain();
    const original = await completedWithPullRequest(domain);
    const revision = await domain.workflows.revise({
      original,
      pullRequest: PULL,
      request: { ...REQUEST, replan: true },
      by: MONA,
    });
    expect(revision.stage).toBe("architect");
    expect(domain.executions.calls.at(-1)).toMatchObject({ firstStage: "architect" });
  });

  it("runs one at a time per pull request, and another may start once it ended", async () => {
    const domain = memoryDomain();
    const original = await completedWithPullRequest(domain);
    const first = await domain.workflows.revise({
      original,
      pullRequest: PULL,
      request: REQUEST,
      by: MONA,
    });
    await expect(
      domain.workflows.revise({ original, pullRequest: PULL, request: REQUEST, by: MONA }),
    ).rejects.toBeInstanceOf(WorkflowConflictError);
    expect(
      await domain.workflows.activeOn({ issueId: "octo-org/app#12", repository: "octo-org/app" }),
    ).toBe(first.id);
    await domain.workflows.cancel(first.id, "enough", MONA);
    expect(
      await domain.workflows.activeOn({ issueId: "octo-org/app#12", repository: "octo-org/app" }),
    ).toBeUndefined();
    const second = await domain.workflows.revise({
      original,
      pullRequest: PULL,
      request: REQUEST,
      by: MONA,
    });
    expect((await domain.workflows.get(original.id)).revisions).toEqual([first.id, second.id]);
  });

  it("is refused for a pull request the workflow did not open", async () => {
    const domain = memoryDomain();
    const original = await completedWithPullRequest(domain);
    await expect(
      domain.workflows.revise({
        original,
        pullRequest: { number: 13, url: "https://github.com/octo-org/app/pull/13" },
        request: REQUEST,
        by: MONA,
      }),
    ).rejects.toBeInstanceOf(InvalidStateError);
  });
});

describe("who decided", () => {
  it("is recorded on the decision and the cancellation, the API's by default", async () => {
    const domain = memoryDomain();
    const { id } = await createAtGate(domain, "plan", "token-1");
    expect((await domain.workflows.get(id)).startedBy).toEqual({ source: "api" });
    await domain.gates.reject(id, "needs tests", MONA);
    await domain.gates.open(id, "plan", "token-2");
    await domain.gates.approve(id);
    await domain.workflows.cancel(id, "Cancelled by @mona on GitHub", MONA);
    const events = await domain.workflows.history(id);
    const decisions = events.filter((event) =>
      ["approval_rejected", "approval_granted", "workflow_cancelled"].includes(event.type),
    );
    expect(
      decisions.map((event) => [event.type, (event.data as { by?: Actor }).by, event.message]),
    ).toEqual([
      ["approval_rejected", MONA, "Plan rejected by @mona on GitHub: needs tests"],
      ["approval_granted", { source: "api" }, "Plan approved"],
      ["workflow_cancelled", MONA, "Cancelled by @mona on GitHub"],
    ]);
  });
});
