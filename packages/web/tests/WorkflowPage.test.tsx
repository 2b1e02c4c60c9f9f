import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { WorkflowPage } from "../src/components/WorkflowPage";
import { FakeAmelia, renderWith } from "./support/fakeAmelia";

const PULL_REQUEST = "https://github.com/octo-org/app/pull/7";
const octocat = { source: "github", login: "octocat" } as const;
const reviewer = { source: "github", login: "mona" } as const;

/** An issue's workflow that opened PULL_REQUEST and completed. */
function completedOriginal(amelia: FakeAmelia, id = "wf-1") {
  amelia.create(id, { issueId: "octo-org/app#3", title: "Greet users", by: octocat });
  amelia.record(id, "workflow_started", { executionArn: "arn:1" });
  amelia.record(id, "workflow_completed", { pullRequestUrl: PULL_REQUEST });
}

/** A revision of PULL_REQUEST that runs. */
function runningRevision(amelia: FakeAmelia, id: string, original = "wf-1") {
  amelia.create(id, {
    kind: "revision",
    issueId: "octo-org/app#7",
    revisionOf: original,
    pullRequestUrl: PULL_REQUEST,
    by: reviewer,
  });
  amelia.record(id, "workflow_started", { executionArn: `arn:${id}` });
}

const revisionsList = () =>
  within(screen.getByRole("region", { name: "Revisions" })).getAllByRole("listitem");

describe("WorkflowPage", () => {
  it("says who started a workflow from GitHub", async () => {
    const amelia = new FakeAmelia();
    completedOriginal(amelia);
    renderWith(amelia, <WorkflowPage id="wf-1" />);

    expect(await screen.findByText("Started by @octocat on GitHub.")).toBeTruthy();
    expect(screen.queryByText("Revision")).toBeNull();
    expect(screen.queryByRole("region", { name: "Revisions" })).toBeNull();
  });

  it("says a workflow was started through the API, and nothing for a log that does not say", async () => {
    const amelia = new FakeAmelia();
    amelia.create("wf-api", { by: { source: "api" } });
    amelia.create("wf-old", { title: "From before" });
    const { unmount } = renderWith(amelia, <WorkflowPage id="wf-api" />);
    expect(await screen.findByText("Started through the API/CLI.")).toBeTruthy();
    unmount();

    const { container } = renderWith(amelia, <WorkflowPage id="wf-old" />);
    await screen.findByText("From before");
    expect(container.querySelector(".origin")).toBeNull();
  });

  it("marks a revision and links the original workflow and the pull request it revises", async () => {
    const amelia = new FakeAmelia();
    completedOriginal(amelia);
    runningRevision(amelia, "wf-2");
    const { container } = renderWith(amelia, <WorkflowPage id="wf-2" />);

    const head = await screen.findByRole("heading", { level: 1, name: "octo-org/app#7" });
    expect(within(head.parentElement!).getByText("Revision")).toBeTruthy();
    const original = screen.getByRole("link", { name: "the original workflow" });
    expect(original.getAttribute("href")).toBe("/workflows/wf-1");
    const pullRequest = screen.getByRole("link", { name: "pull request octo-org/app/pull/7" });
    expect(pullRequest.getAttribute("href")).toBe(PULL_REQUEST);
    expect(container.querySelector(".origin")?.textContent).toBe(
      "Revises pull request octo-org/app/pull/7 of the original workflow. Started by @mona on GitHub.",
    );
  });

  it("lists an original's revisions with where each stands, and follows them live", async () => {
    const amelia = new FakeAmelia();
    completedOriginal(amelia);
    runningRevision(amelia, "wf-2");
    amelia.record("wf-1", "revision_created", {
      revisionId: "wf-2",
      pullRequestUrl: PULL_REQUEST,
      by: reviewer,
    });
    renderWith(amelia, <WorkflowPage id="wf-1" />);

    const first = await screen.findByRole("link", { name: "Revision 1" });
    expect(first.getAttribute("href")).toBe("/workflows/wf-2");
    expect(await within(revisionsList()[0]!).findByText("In progress")).toBeTruthy();
    expect(within(revisionsList()[0]!).getByText(/by @mona on GitHub/)).toBeTruthy();

    // A second review asks for more: its revision appears on the original without a reload …
    amelia.create("wf-3", {
      kind: "revision",
      issueId: "octo-org/app#7",
      revisionOf: "wf-1",
      pullRequestUrl: PULL_REQUEST,
      by: { source: "api" },
    });
    amelia.record("wf-1", "revision_created", {
      revisionId: "wf-3",
      pullRequestUrl: PULL_REQUEST,
      by: { source: "api" },
    });
    const second = await screen.findByRole("link", { name: "Revision 2" });
    expect(second.getAttribute("href")).toBe("/workflows/wf-3");
    expect(await within(revisionsList()[1]!).findByText("Pending")).toBeTruthy();

    // … and each revision's status follows its own events.
    amelia.record("wf-2", "workflow_completed", {});
    amelia.record("wf-3", "workflow_started", { executionArn: "arn:wf-3" });
    expect(await within(revisionsList()[0]!).findByText("Completed")).toBeTruthy();
    expect(await within(revisionsList()[1]!).findByText("In progress")).toBeTruthy();
    expect(revisionsList()).toHaveLength(2);
  });
});

/** What a developer's model call cost, as the agent records it. */
function spend(amelia: FakeAmelia, id: string, costUsd: number) {
  amelia.record(id, "token_usage", {
    model: "claude",
    tokens: { inputTokens: 1_000, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 },
    costUsd,
  });
}

/** The value of one of the workflow's details. */
const factValue = (term: string) =>
  within(screen.getByLabelText("Details")).getByText(term, { selector: "dt" }).nextElementSibling!
    .textContent;

describe("WorkflowPage budget", () => {
  /** A developer stopped at the budget gate, $1.02 spent of $1. */
  function atBudgetGate(amelia: FakeAmelia, id = "wf-1") {
    amelia.create(id, { issueId: "ISSUE-9", budgetUsd: 1 });
    amelia.record(id, "workflow_started", { executionArn: "arn:1" });
    amelia.record(id, "stage_started", { stage: "developer" });
    spend(amelia, id, 1.02);
    amelia.record(id, "approval_required", { gate: "budget", spentUsd: 1.02, budgetUsd: 1 });
  }

  it("shows what a workflow spent of its budget, and that one without a budget has none", async () => {
    const amelia = new FakeAmelia();
    amelia.create("wf-1", { title: "Bounded", budgetUsd: 5 });
    spend(amelia, "wf-1", 0.42);
    amelia.create("wf-2", { title: "Unbounded" });
    const { unmount } = renderWith(amelia, <WorkflowPage id="wf-1" />);
    await screen.findByText("Bounded");
    expect(factValue("Cost")).toBe("$0.42 of $5.00");
    unmount();

    renderWith(amelia, <WorkflowPage id="wf-2" />);
    await screen.findByText("Unbounded");
    expect(factValue("Cost")).toBe("$0.00 (no budget)");
  });

  it("at the budget gate: a refused raise is shown, a raise continues the stage, and the page stays live", async () => {
    const amelia = new FakeAmelia();
    atBudgetGate(amelia);
    renderWith(amelia, <WorkflowPage id="wf-1" />);

    await screen.findByRole("heading", { name: "Budget reached: $1.02 of $1.00" });
    expect(factValue("Gate")).toBe("more budget");
    expect(screen.getByText("Waiting for budget", { selector: ".badge" })).toBeTruthy();
    expect(factValue("Stage")).toBe("Developer");
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();
    const newBudget = screen.getByRole("textbox", { name: /New budget/ });

    await userEvent.clear(newBudget);
    await userEvent.type(newBudget, "1.01{Enter}");
    const refusal = await screen.findByRole("alert");
    expect(refusal.textContent).toContain("budgetUsd: must be more than the $1.0200 already spent");

    await userEvent.clear(newBudget);
    await userEvent.type(newBudget, "3{Enter}");
    await screen.findByRole("button", { name: "Cancel workflow…" });
    expect(screen.queryByRole("heading", { name: /Budget reached/ })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(factValue("Cost")).toBe("$1.02 of $3.00");
    expect(factValue("Gate")).toBe("none");
    expect(screen.getByText("In progress", { selector: ".badge" })).toBeTruthy();
    const timeline = screen.getByRole("region", { name: "Event timeline" });
    const raised = await within(timeline).findByText("budget_raised", { selector: ".type" });
    expect(within(raised.closest("li")!).getByText("through the API/CLI")).toBeTruthy();

    // The developer goes on: what it spends shows without a reload.
    spend(amelia, "wf-1", 0.5);
    await screen.findByText("$1.52 of $3.00");
  });

  it("offers the raise again when the raised budget is reached too", async () => {
    const amelia = new FakeAmelia();
    atBudgetGate(amelia);
    renderWith(amelia, <WorkflowPage id="wf-1" />);
    const newBudget = await screen.findByRole("textbox", { name: /New budget/ });
    expect(newBudget).toHaveProperty("value", "2.04");
    await userEvent.click(screen.getByRole("button", { name: "Raise budget" }));
    await screen.findByRole("button", { name: "Cancel workflow…" });

    spend(amelia, "wf-1", 1);
    amelia.record("wf-1", "approval_required", { gate: "budget", spentUsd: 2.02, budgetUsd: 2.04 });
    await screen.findByRole("heading", { name: "Budget reached: $2.02 of $2.04" });
    expect(screen.getByRole("textbox", { name: /New budget/ })).toHaveProperty("value", "4.08");
  });
});
