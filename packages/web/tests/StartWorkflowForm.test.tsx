import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { StartWorkflowForm } from "../src/components/StartWorkflowForm";
import { WorkflowPage } from "../src/components/WorkflowPage";
import { FakeAmelia, renderWith } from "./support/fakeAmelia";

afterEach(() => window.history.replaceState(null, "", "/"));

const budgetField = () => screen.getByRole("textbox", { name: /^Budget/ }) as HTMLInputElement;

async function startWith(budget: string) {
  await userEvent.type(screen.getByRole("textbox", { name: /^Issue ID/ }), "ISSUE-7");
  if (budget) await userEvent.type(budgetField(), budget);
  await userEvent.click(screen.getByRole("button", { name: "Start workflow" }));
}

describe("StartWorkflowForm", () => {
  it("starts a workflow with the budget typed, and its page shows it", async () => {
    const amelia = new FakeAmelia();
    const { unmount } = renderWith(amelia, <StartWorkflowForm />);
    await startWith("2.50");
    await waitForPath("/workflows/wf-1");
    unmount();

    renderWith(amelia, <WorkflowPage id="wf-1" />);
    expect(await screen.findByText("$0.00 of $2.50")).toBeTruthy();
  });

  it("starts one without a budget when the field is left empty (the server's default applies)", async () => {
    const amelia = new FakeAmelia();
    const { unmount } = renderWith(amelia, <StartWorkflowForm />);
    await startWith("");
    await waitForPath("/workflows/wf-1");
    unmount();

    renderWith(amelia, <WorkflowPage id="wf-1" />);
    expect(await screen.findByText("$0.00 (no budget)")).toBeTruthy();
  });

  it.each([
    ["five", "The budget must be a number of US dollars, e.g. 5 or 2.50."],
    ["0", "The budget must be more than 0."],
    ["10001", "The budget must be at most 10000 US dollars."],
  ])("sends nothing for the budget %o, and says why next to the field", async (typed, why) => {
    const amelia = new FakeAmelia();
    renderWith(amelia, <StartWorkflowForm />);
    await startWith(typed);

    expect(budgetField().getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(budgetField());
    const issue = document.getElementById(budgetField().getAttribute("aria-describedby")!);
    expect(issue?.textContent).toBe(why);
    expect(amelia.requests).not.toContain("POST /api/workflows");
    expect(screen.getByRole("button", { name: "Start workflow" })).toHaveProperty(
      "disabled",
      false,
    );

    // Corrected, it is sent, and the mark goes.
    await userEvent.clear(budgetField());
    await userEvent.type(budgetField(), "3");
    await userEvent.click(screen.getByRole("button", { name: "Start workflow" }));
    await waitForPath("/workflows/wf-1");
    expect(budgetField().hasAttribute("aria-invalid")).toBe(false);
  });
});

async function waitForPath(path: string) {
  await expect.poll(() => window.location.pathname).toBe(path);
}
