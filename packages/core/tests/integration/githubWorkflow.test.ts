import { afterAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../../../../tests/support/fakeGitHub";
import { DemoDriver, demoDocumentPath } from "../../src/agents/DemoDriver";
import { runArchitect, runDeveloper, runReviewer } from "../../src/agents/stages";
import { ValidationError } from "../../src/errors";
import { ConversationStore } from "../../src/store/ConversationStore";
import { branchNameFor } from "../../src/workflow/branchName";
import { startTestTable } from "../support/dynamo";
import { githubInvocations } from "../support/githubInvocations";

const github = await FakeGitHub.start();
const table = await startTestTable();
let token: string | undefined;
afterAll(async () => {
  await github.close();
  await table.close();
});

const { invocation, stageContext, approvePlan } = githubInvocations(github, table, () => token);

const driver = new DemoDriver();

describe("a workflow on a GitHub repository, one invocation per step", () => {
  it("takes the issue from GitHub, commits each developer round, and opens a pull request at completion", async () => {
    token = github.token;
    github.addRepository("Octo-Org/App", {
      files: { "README.md": "# App\n", "src/main.ts": "console.log('hi');\n" },
    });
    const issue = github.addIssue("Octo-Org/App", {
      title: "Add a dark mode",
      body: "- Add a theme toggle\n- Remember the choice",
    });
    const issueId = `octo-org/app#${issue}`;

    const created = await invocation().workflows.create({ issueId, repository: "Octo-Org/App" });
    expect(created).toMatchObject({
      issueId,
      title: "Add a dark mode",
      description: "- Add a theme toggle\n- Remember the choice",
      repository: "octo-org/app",
      branch: branchNameFor(issueId),
    });
    const id = created.id;

    const { plan } = await runArchitect(await stageContext(id), driver, invocation().workspaces);
    expect(plan).toContain("Add a theme toggle");
    await approvePlan(id);

    // Each stage runs as a new invocation: fresh providers, the conversation kept in the table.
    const conversations = new ConversationStore(table.document, table.tableName);
    const develop = async () =>
      runDeveloper(await stageContext(id), driver, invocation().workspaces, conversations, {
        turnBudget: 20,
        deadline: Date.now() + 60_000,
      });
    const workRef = `refs/amelia/${id}`;
    const first = await develop();
    expect(github.refTip("octo-org/app", workRef)).toBe(first.commit);
    expect(await runReviewer(await stageContext(id), driver, invocation().workspaces, 3)).toEqual({
      approved: false,
      atCap: false,
    });
    const second = await develop();
    expect(github.commitInfo("octo-org/app", second.commit as string).parents).toEqual([
      first.commit,
    ]);
    expect(await runReviewer(await stageContext(id), driver, invocation().workspaces, 3)).toEqual({
      approved: true,
      atCap: false,
    });
    const document = github.filesAt("octo-org/app", workRef)[demoDocumentPath(issueId)];
    expect(document).toContain("Add a theme toggle");
    expect(document).not.toContain("TODO");
    // Until completion no branch of the repository moved: no `on: push` workflow ran agent code.
    const branchUpdates = () =>
      github.refUpdates.filter(
        (update) => update.repository === "octo-org/app" && update.ref.startsWith("refs/heads/"),
      );
    expect(branchUpdates()).toEqual([]);
    expect(github.branchTip("octo-org/app", created.branch as string)).toBeUndefined();

    const completed = await invocation().workflows.complete(id);
    expect(branchUpdates()).toEqual([
      {
        repository: "octo-org/app",
        ref: `refs/heads/${created.branch}`,
        action: "create",
        sha: second.commit,
      },
    ]);
    expect(github.refTip("octo-org/app", workRef)).toBeUndefined();
    expect(
      github.filesAt("octo-org/app", created.branch as string)[demoDocumentPath(issueId)],
    ).toBe(document);
    const pullRequestUrl = `${github.url}/Octo-Org/App/pull/${issue + 1}`;
    expect(completed).toMatchObject({ status: "completed", stage: "done", pullRequestUrl });
    const events = await invocation().workflows.history(id);
    const completion = events.find((event) => event.type === "workflow_completed");
    expect(completion?.data).toEqual({ branch: created.branch, pullRequestUrl });
    expect(completion?.message).toBe(
      `Workflow completed on branch ${created.branch}: pull request ${pullRequestUrl}`,
    );
    const [pull] = github.pullRequests("octo-org/app");
    expect(pull).toMatchObject({ title: "Add a dark mode", head: created.branch, base: "main" });
    expect(pull?.body).toContain(`Closes #${issue}`);

    // A retried completion changes nothing and opens nothing.
    expect(await invocation().workflows.complete(id)).toEqual(completed);
    expect(github.pullRequests("octo-org/app")).toHaveLength(1);
    // No token ever reached the log.
    expect(JSON.stringify(events)).not.toContain(github.token);
  });
});

describe("creating a workflow from a GitHub issue id", () => {
  it("keeps a title the person gave, and fills in only what is missing", async () => {
    token = github.token;
    github.addRepository("octo-org/lib", { files: { "README.md": "# Lib\n" } });
    const issue = github.addIssue("octo-org/lib", { title: "From GitHub", body: "Body on GitHub" });
    const workflow = await invocation().workflows.create({
      issueId: `octo-org/lib#${issue}`,
      title: "My own title",
    });
    expect(workflow.title).toBe("My own title");
    expect(workflow.description).toBe("Body on GitHub");
  });

  it("leaves out a description when the issue has no body", async () => {
    token = github.token;
    github.addRepository("octo-org/bare", { files: { "README.md": "# Bare\n" } });
    const issue = github.addIssue("octo-org/bare", { title: "Only a title", body: null });
    const workflow = await invocation().workflows.create({ issueId: `octo-org/bare#${issue}` });
    expect(workflow.title).toBe("Only a title");
    expect(workflow.description).toBeUndefined();
  });

  it("refuses an issue GitHub does not have, naming issueId, and creates nothing", async () => {
    token = github.token;
    github.addRepository("octo-org/tracker", { files: { "README.md": "# Tracker\n" } });
    const { workflows } = invocation();
    const error = await workflows.create({ issueId: "octo-org/tracker#99" }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([
      {
        field: "issueId",
        message: "GitHub has no issue octo-org/tracker#99, or the token cannot see it",
      },
    ]);
    const listed = await workflows.list({ limit: 100 });
    expect(listed.workflows.map((w) => w.issueId)).not.toContain("octo-org/tracker#99");
  });

  it("asks GitHub nothing without a token, and keeps other issue ids as they are", async () => {
    token = undefined;
    const before = github.requests.length;
    const unnamed = await invocation().workflows.create({ issueId: "octo-org/app#1" });
    expect(unnamed.title).toBeUndefined();
    token = github.token;
    const plain = await invocation().workflows.create({ issueId: "PROJ-123" });
    expect(plain.title).toBeUndefined();
    expect(github.requests.length).toBe(before);
  });
});
