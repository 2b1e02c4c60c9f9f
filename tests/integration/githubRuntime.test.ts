import { describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../packages/core/src/events/types";
import { useFakeGitHub, useTestRuntime } from "../support/runtime";
import { createAtPlanGate, ofType } from "../support/workflows";

const fake = useFakeGitHub();
const fixture = useTestRuntime();

describe("a workflow on a GitHub repository through the local runtime", () => {
  it("takes the issue from GitHub, works on the branch, and opens a pull request at completion", async () => {
    fake.github.addRepository("Octo-Org/App", { files: { "README.md": "# App\n" } });
    const issue = fake.github.addIssue("Octo-Org/App", {
      title: "Add a dark mode",
      body: "- Add a theme toggle\n- Remember the choice",
    });
    const planned = await createAtPlanGate(fixture.api, {
      issueId: `octo-org/app#${issue}`,
      repository: "Octo-Org/App",
    });
    expect(planned).toMatchObject({ title: "Add a dark mode", repository: "octo-org/app" });
    expect((await fixture.api.approve(planned.id)).status).toBe(200);
    const completed = await fixture.api.waitForStatus(planned.id, "completed");
    const pullRequestUrl = `${fake.github.url}/Octo-Org/App/pull/${issue + 1}`;
    expect(completed.pullRequestUrl).toBe(pullRequestUrl);
    const events = (
      await fixture.api.request<{ events: WorkflowEvent[] }>(
        "GET",
        `/api/workflows/${planned.id}/events`,
      )
    ).body.events;
    expect(ofType(events, "workflow_completed")[0]?.data.pullRequestUrl).toBe(pullRequestUrl);
    expect(fake.github.pullRequests("octo-org/app")).toHaveLength(1);
    expect(Object.keys(fake.github.filesAt("octo-org/app", planned.branch as string))).toContain(
      "docs/amelia/octo-org-app-1.md",
    );
    expect(JSON.stringify(events)).not.toContain(fake.github.token);
  });

  it("refuses owner/name GitHub does not have, naming repository", async () => {
    const created = await fixture.api.create({ issueId: "X-1", repository: "octo-org/missing" });
    expect(created.status).toBe(400);
  });
});
