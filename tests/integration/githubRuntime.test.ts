import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../packages/core/src/events/types";
import { FakeGitHub } from "../support/fakeGitHub";
import { useTestRuntime } from "../support/runtime";
import { createAtPlanGate, ofType } from "../support/workflows";

let github: FakeGitHub;
// Registered before the runtime's own beforeAll, so its handlers read this configuration.
beforeAll(async () => {
  github = await FakeGitHub.start();
  process.env.GITHUB_TOKEN = github.token;
  process.env.AMELIA_GITHUB_API_URL = github.url;
});
afterAll(async () => {
  delete process.env.GITHUB_TOKEN;
  delete process.env.AMELIA_GITHUB_API_URL;
  await github.close();
});
const fixture = useTestRuntime();

describe("a workflow on a GitHub repository through the local runtime", () => {
  it("takes the issue from GitHub, works on the branch, and opens a pull request at completion", async () => {
    github.addRepository("Octo-Org/App", { files: { "README.md": "# App\n" } });
    const issue = github.addIssue("Octo-Org/App", {
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
    const pullRequestUrl = `${github.url}/Octo-Org/App/pull/${issue + 1}`;
    expect(completed.pullRequestUrl).toBe(pullRequestUrl);
    const events = (
      await fixture.api.request<{ events: WorkflowEvent[] }>(
        "GET",
        `/api/workflows/${planned.id}/events`,
      )
    ).body.events;
    expect(ofType(events, "workflow_completed")[0]?.data.pullRequestUrl).toBe(pullRequestUrl);
    expect(github.pullRequests("octo-org/app")).toHaveLength(1);
    expect(Object.keys(github.filesAt("octo-org/app", planned.branch as string))).toContain(
      "docs/amelia/octo-org-app-1.md",
    );
    expect(JSON.stringify(events)).not.toContain(github.token);
  });

  it("refuses owner/name GitHub does not have, naming repository", async () => {
    const created = await fixture.api.create({ issueId: "X-1", repository: "octo-org/missing" });
    expect(created.status).toBe(400);
  });
});
