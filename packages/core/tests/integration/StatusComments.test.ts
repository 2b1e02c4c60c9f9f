import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubConnection } from "../../src/github/GitHubConnection";
import { StatusCommentBusyError, StatusComments } from "../../src/github/StatusComments";
import { StatusCommentStore } from "../../src/store/StatusCommentStore";
import { emptyUsage, type Workflow } from "../../src/workflow/Workflow";
import { FakeGitHub } from "../../../../tests/support/fakeGitHub";
import { startTestTable, type TestTable } from "../support/dynamo";

const REPOSITORY = "octo-org/app";
let table: TestTable;
let github: FakeGitHub;
beforeAll(async () => {
  table = await startTestTable();
  github = await FakeGitHub.start();
  github.addRepository(REPOSITORY, { files: { "README.md": "# App\n" } });
});
afterAll(async () => {
  await table.close();
  await github.close();
});

let counter = 0;

/** A workflow on a new issue of the fake GitHub, started there, whose state the test moves. */
function workflowOnNewIssue(overrides: Partial<Workflow> = {}) {
  const number = github.addIssue(REPOSITORY, { title: "Dark mode" });
  counter += 1;
  const state: { workflow: Workflow } = {
    workflow: {
      id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
      kind: "issue",
      issueId: `${REPOSITORY}#${number}`,
      branch: `amelia/${REPOSITORY}#${number}`,
      model: "amelia-demo",
      status: "in_progress",
      stage: "architect",
      iteration: { plan: 1, review: 0 },
      usage: emptyUsage(),
      startedBy: { source: "github", login: "mona" },
      lastSequence: 2,
      createdAt: "2026-12-02T06:00:00.000Z",
      updatedAt: "2026-12-02T06:00:00.000Z",
      ...overrides,
    },
  };
  return { number, state };
}

function statusComments(
  state: { workflow: Workflow },
  options: { clock?: () => number; sleep?: (ms: number) => Promise<void> } = {},
) {
  return new StatusComments({
    workflow: async () => structuredClone(state.workflow),
    store: new StatusCommentStore(table.document, table.tableName),
    github: new GitHubConnection({ apiUrl: github.url, token: async () => github.token }),
    sleep: async () => undefined,
    ...options,
  });
}

describe("a workflow's status comment on GitHub", () => {
  it("is one comment, created once though deliveries race, then edited as the workflow moves", async () => {
    const { number, state } = workflowOnNewIssue();
    await Promise.all([1, 2, 3, 4].map(() => statusComments(state).update(state.workflow.id)));
    expect(github.comments(REPOSITORY, number)).toHaveLength(1);
    state.workflow = {
      ...state.workflow,
      status: "blocked",
      gate: "plan",
      stage: "plan_approval",
      plan: "1. Toggle",
      lastSequence: 9,
    };
    await statusComments(state).update(state.workflow.id);
    const [comment] = github.comments(REPOSITORY, number);
    expect(github.comments(REPOSITORY, number)).toHaveLength(1);
    expect(comment!.body).toContain("The plan is ready");
    expect(comment!.history[0]).toContain("the architect is planning");
  });

  it("edits again when the workflow moved on while it rendered", async () => {
    const { number, state } = workflowOnNewIssue();
    await statusComments(state).update(state.workflow.id);
    let reads = 0;
    const moving = new StatusComments({
      workflow: async () => {
        reads += 1;
        // The workflow completes between the render and the check that follows the edit.
        if (reads === 2)
          state.workflow = {
            ...state.workflow,
            status: "completed",
            stage: "done",
            pullRequestUrl: "https://github.com/octo-org/app/pull/99",
          };
        return structuredClone(state.workflow);
      },
      store: new StatusCommentStore(table.document, table.tableName),
      github: new GitHubConnection({ apiUrl: github.url, token: async () => github.token }),
    });
    state.workflow = { ...state.workflow, stage: "developer" };
    await moving.update(state.workflow.id);
    expect(github.comments(REPOSITORY, number)[0]!.body).toContain(
      "Completed: https://github.com/octo-org/app/pull/99",
    );
  });

  it("leaves the event to a retry while another delivery creates it, and takes over one that died", async () => {
    const { number, state } = workflowOnNewIssue();
    const store = new StatusCommentStore(table.document, table.tableName);
    const start = Date.now();
    expect(await store.claim(state.workflow.id, start, start - 60_000)).toBe(true);
    // Time passes only while it waits for the other delivery.
    let now = start + 1_000;
    const waiting = statusComments(state, {
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    await expect(waiting.update(state.workflow.id)).rejects.toBeInstanceOf(StatusCommentBusyError);
    expect(now - start).toBeGreaterThanOrEqual(4_000);
    expect(github.comments(REPOSITORY, number)).toHaveLength(0);
    await statusComments(state, { clock: () => start + 61_000 }).update(state.workflow.id);
    expect(github.comments(REPOSITORY, number)).toHaveLength(1);
  });

  it("is not written for a workflow started through the API", async () => {
    const { number, state } = workflowOnNewIssue({ startedBy: { source: "api" } });
    await statusComments(state).update(state.workflow.id);
    expect(github.comments(REPOSITORY, number)).toEqual([]);
  });
});
