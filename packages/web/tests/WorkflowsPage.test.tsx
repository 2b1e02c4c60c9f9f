import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { WorkflowsPage } from "../src/components/WorkflowsPage";
import { FakeAmelia, renderWith } from "./support/fakeAmelia";

describe("WorkflowsPage", () => {
  it("marks the rows of revisions, and only those", async () => {
    const amelia = new FakeAmelia();
    amelia.create("wf-1", { issueId: "octo-org/app#3", title: "Greet users" });
    amelia.create("wf-2", {
      kind: "revision",
      issueId: "octo-org/app#7",
      revisionOf: "wf-1",
      pullRequestUrl: "https://github.com/octo-org/app/pull/7",
      by: { source: "github", login: "mona" },
    });
    renderWith(amelia, <WorkflowsPage />);

    const revision = await screen.findByRole("link", { name: /octo-org\/app#7/ });
    expect(revision.getAttribute("href")).toBe("/workflows/wf-2");
    expect(within(revision).getByText("Revision")).toBeTruthy();
    expect(revision.textContent).toMatch(/^octo-org\/app#7 Revision/);
    const issue = screen.getByRole("link", { name: /octo-org\/app#3/ });
    expect(within(issue).queryByText("Revision")).toBeNull();
  });
});
