import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "@amelia/client";
import { emptyUsage } from "@amelia/core/workflow/Workflow";
import { DecisionPanel, type DecisionPanelProps } from "../src/components/DecisionPanel";

type PanelWorkflow = DecisionPanelProps["workflow"];

/** The workflow as the panel reads it; nothing spent unless `fields` say. */
const at = (fields: Omit<PanelWorkflow, "usage"> & Partial<PanelWorkflow>): PanelWorkflow => ({
  usage: emptyUsage(),
  ...fields,
});

/** A request the test settles by hand. */
function deferred() {
  let resolve!: (value: unknown) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function panel(props: Partial<DecisionPanelProps> = {}) {
  const handlers = {
    onApprove: vi.fn(() => Promise.resolve()),
    onReject: vi.fn((_feedback: string) => Promise.resolve()),
    onCancel: vi.fn(() => Promise.resolve()),
    onResume: vi.fn(() => Promise.resolve()),
    onRaiseBudget: vi.fn((_budgetUsd: number) => Promise.resolve()),
    ...props,
  };
  render(
    <DecisionPanel
      workflow={at({ status: "blocked", gate: "plan", stage: "plan_approval" })}
      {...handlers}
      {...props}
    />,
  );
  return handlers;
}

const button = (name: string | RegExp) => screen.getByRole("button", { name });
const allButtons = () => screen.getAllByRole("button") as HTMLButtonElement[];

describe("DecisionPanel", () => {
  it("approves, showing progress and disabling every button while the request is in flight", async () => {
    const request = deferred();
    const { onApprove } = panel({ onApprove: vi.fn(() => request.promise) });

    await userEvent.click(button("Approve"));
    expect(onApprove).toHaveBeenCalledOnce();
    expect(button("Approving…")).toBeTruthy();
    expect(allButtons().every((b) => b.disabled)).toBe(true);

    request.resolve(undefined);
    expect(await screen.findByRole("button", { name: "Approve" })).toHaveProperty(
      "disabled",
      false,
    );
  });

  it("rejects only with feedback, sends it trimmed, and clears it once accepted", async () => {
    const { onReject } = panel();
    const reject = button("Reject with feedback");
    expect(reject).toHaveProperty("disabled", true);

    await userEvent.type(screen.getByLabelText(/Feedback/), "   ");
    expect(reject).toHaveProperty("disabled", true);
    await userEvent.type(screen.getByLabelText(/Feedback/), "Cover dark mode too ");
    expect(reject).toHaveProperty("disabled", false);

    await userEvent.click(reject);
    expect(onReject).toHaveBeenCalledWith("Cover dark mode too");
    expect(screen.getByLabelText(/Feedback/)).toHaveProperty("value", "");
    expect(button("Reject with feedback")).toHaveProperty("disabled", true);
  });

  it("shows the API's error, e.g. when someone else approved first, and lets the person act again", async () => {
    panel({
      onApprove: vi.fn(() =>
        Promise.reject(new ApiError(422, "INVALID_STATE", "Workflow wf-1 is not at a gate")),
      ),
    });

    await userEvent.click(button("Approve"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Workflow wf-1 is not at a gate");
    expect(alert.textContent).toContain("INVALID_STATE");
    expect(button("Approve")).toHaveProperty("disabled", false);
  });

  it("cancels only after a confirmation", async () => {
    const { onCancel } = panel({ workflow: at({ status: "in_progress", stage: "developer" }) });
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();

    await userEvent.click(button("Cancel workflow…"));
    await userEvent.click(button("Keep it running"));
    expect(onCancel).not.toHaveBeenCalled();

    await userEvent.click(button("Cancel workflow…"));
    await userEvent.click(button("Yes, cancel it"));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it("offers the review gate's decision with its own wording", () => {
    panel({ workflow: at({ status: "blocked", gate: "review", stage: "review_approval" }) });
    expect(screen.getByText(/review loop reached its limit/)).toBeTruthy();
    expect(button("Approve")).toBeTruthy();
  });

  it("shows the latest checks at the review gate, the failing ones highlighted, and says they fail", () => {
    panel({
      workflow: at({
        status: "blocked",
        gate: "review",
        stage: "review_approval",
        checks: {
          round: 3,
          runId: "run-3",
          passed: false,
          results: [
            { name: "test", exitCode: 1, durationMs: 2_000, timedOut: false },
            { name: "lint", exitCode: 0, durationMs: 900, timedOut: false },
            { name: "e2e", exitCode: 137, durationMs: 60_000, timedOut: true },
          ],
        },
      }),
    });
    expect(screen.getByText(/checks still fail after the developer's last rounds/)).toBeTruthy();
    expect(screen.queryByText(/review loop reached its limit/)).toBeNull();
    const table = screen.getByRole("table", { name: /Checks of round 3/ });
    expect(within(table).getByText("2 of 3 failing")).toBeTruthy();
    const failing = Array.from(table.querySelectorAll("tr.failing")).map(
      (row) => row.querySelector("th")?.textContent,
    );
    expect(failing).toEqual(["test", "e2e"]);
    const test = within(table).getByRole("rowheader", { name: "test" }).closest("tr")!;
    expect(within(test).getByText("Failed (exit 1)")).toBeTruthy();
    expect(within(test).getByText("2.0 s")).toBeTruthy();
    expect(within(table).getByText("Timed out")).toBeTruthy();
    expect(button("Approve")).toBeTruthy();
  });

  it("shows passing checks at the review gate, and says when none ran", () => {
    const checks = {
      round: 1,
      runId: "run-1",
      passed: true,
      results: [{ name: "test", exitCode: 0, durationMs: 300, timedOut: false }],
    };
    const { rerender } = render(
      <DecisionPanel
        workflow={at({ status: "blocked", gate: "review", stage: "review_approval", checks })}
        onApprove={vi.fn()}
        onReject={vi.fn()}
        onCancel={vi.fn()}
        onResume={vi.fn()}
        onRaiseBudget={vi.fn()}
      />,
    );
    expect(screen.getByText(/review loop reached its limit/)).toBeTruthy();
    const table = screen.getByRole("table", { name: /Checks of round 1: all passed/ });
    expect(table.querySelectorAll("tr.failing")).toHaveLength(0);

    rerender(
      <DecisionPanel
        workflow={at({ status: "blocked", gate: "review", stage: "review_approval" })}
        onApprove={vi.fn()}
        onReject={vi.fn()}
        onCancel={vi.fn()}
        onResume={vi.fn()}
        onRaiseBudget={vi.fn()}
      />,
    );
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.getByText(/No checks ran on this change/)).toBeTruthy();
  });

  it("shows no checks at the plan gate", () => {
    panel();
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.queryByText(/checks/i)).toBeNull();
  });

  it("renders nothing for a finished workflow", () => {
    const { container } = render(
      <DecisionPanel
        workflow={at({ status: "completed", stage: "done" })}
        onApprove={vi.fn()}
        onReject={vi.fn()}
        onCancel={vi.fn()}
        onResume={vi.fn()}
        onRaiseBudget={vi.fn()}
      />,
    );
    expect(container.innerHTML).toBe("");
  });

  it("offers only Resume on a failed workflow, naming the stage, and shows a refusal", async () => {
    const request = deferred();
    const { onResume } = panel({
      workflow: at({ status: "failed", stage: "developer" }),
      onResume: vi.fn(() => request.promise),
    });
    expect(screen.getByText(/continues from the developer stage/)).toBeTruthy();
    expect(allButtons().map((b) => b.textContent)).toEqual(["Resume"]);

    await userEvent.click(button("Resume"));
    expect(onResume).toHaveBeenCalledOnce();
    expect(button("Resuming…")).toHaveProperty("disabled", true);
    request.reject(
      new ApiError(409, "WORKFLOW_CONFLICT", "Another active workflow holds this issue"),
    );
    expect(await screen.findByText(/Another active workflow holds this issue/)).toBeTruthy();
    expect(button("Resume")).toHaveProperty("disabled", false);
  });
});

describe("DecisionPanel at the budget gate", () => {
  const budgetGate = (budgetUsd: number, costUsd: number) =>
    at({
      status: "blocked",
      gate: "budget",
      stage: "developer",
      budgetUsd,
      usage: { ...emptyUsage(), costUsd },
    });
  const newBudget = () => screen.getByRole("textbox", { name: /New budget/ }) as HTMLInputElement;

  it("says what was spent of what budget, offers double, and no approve or reject", () => {
    panel({ workflow: budgetGate(1, 0.42) });
    expect(screen.getByRole("heading", { name: "Budget reached: $0.42 of $1.00" })).toBeTruthy();
    expect(screen.getByText(/The developer stopped before a model call/)).toBeTruthy();
    expect(newBudget().value).toBe("2.00");
    expect(allButtons().map((b) => b.textContent)).toEqual(["Raise budget", "Cancel workflow…"]);
    expect(screen.queryByLabelText(/Feedback/)).toBeNull();
  });

  it("raises the budget to what the person typed, with the keyboard", async () => {
    const request = deferred();
    const { onRaiseBudget } = panel({
      workflow: budgetGate(1, 1.02),
      onRaiseBudget: vi.fn(() => request.promise),
    });
    expect(newBudget().value).toBe("2.04");

    await userEvent.click(newBudget());
    await userEvent.clear(newBudget());
    await userEvent.keyboard("5.50{Enter}");
    expect(onRaiseBudget).toHaveBeenCalledExactlyOnceWith(5.5);
    expect(button("Raising…")).toHaveProperty("disabled", true);
    expect(button("Cancel workflow…")).toHaveProperty("disabled", true);
    request.resolve(undefined);
    expect(await screen.findByRole("button", { name: "Raise budget" })).toHaveProperty(
      "disabled",
      false,
    );
  });

  it.each([
    ["abc", "The new budget must be a number of US dollars, e.g. 5 or 2.50."],
    ["0", "The new budget must be more than 0."],
    ["20000", "The new budget must be at most 10000 US dollars."],
  ])("does not send %o, and says why next to the field", async (typed, why) => {
    const { onRaiseBudget } = panel({ workflow: budgetGate(1, 1) });
    await userEvent.clear(newBudget());
    await userEvent.type(newBudget(), typed);
    await userEvent.click(button("Raise budget"));

    expect(onRaiseBudget).not.toHaveBeenCalled();
    expect(newBudget().getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(newBudget());
    const issue = document.getElementById(newBudget().getAttribute("aria-describedby")!);
    expect(issue?.textContent).toBe(why);
  });

  it("shows the API's refusal, e.g. a budget not above what was spent", async () => {
    const refusal = new ApiError(400, "VALIDATION_ERROR", "Invalid body: budgetUsd", [
      { field: "budgetUsd", message: "must be more than the $1.0200 already spent" },
    ]);
    panel({ workflow: budgetGate(1, 1.02), onRaiseBudget: vi.fn(() => Promise.reject(refusal)) });
    await userEvent.clear(newBudget());
    await userEvent.type(newBudget(), "1");
    await userEvent.click(button("Raise budget"));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("must be more than the $1.0200 already spent");
    expect(alert.textContent).toContain("VALIDATION_ERROR");
    expect(button("Raise budget")).toHaveProperty("disabled", false);
  });

  it("cancels after a confirmation", async () => {
    const { onCancel, onRaiseBudget } = panel({ workflow: budgetGate(1, 1) });
    await userEvent.click(button("Cancel workflow…"));
    await userEvent.click(button("Yes, cancel it"));
    expect(onCancel).toHaveBeenCalledOnce();
    expect(onRaiseBudget).not.toHaveBeenCalled();
  });
});
