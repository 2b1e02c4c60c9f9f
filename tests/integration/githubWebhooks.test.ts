import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowEvent } from "../../packages/core/src/events/types";
import type { WebhookEventMap, WebhookEventName } from "@octokit/webhooks-types";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import { FakeGitHub } from "../support/fakeGitHub";
import {
  deliver,
  issueComment,
  labeledIssue,
  reviewSubmitted,
  signature,
  starCreated,
} from "../support/githubWebhooks";
import { startTestRuntime } from "../support/runtime";
import { useTestRuntime } from "../support/runtime";
import { ofType } from "../support/workflows";

const SECRET = "a webhook secret for the tests";
const REPOSITORY = "octo-org/app";
const MAINTAINER = "mona";
const READER = "hubot-reader";

let github: FakeGitHub;
// Registered before the runtime's own beforeAll, so its handlers read this configuration.
beforeAll(async () => {
  github = await FakeGitHub.start();
  Object.assign(process.env, {
    GITHUB_TOKEN: github.token,
    AMELIA_GITHUB_API_URL: github.url,
    GITHUB_WEBHOOK_SECRET: SECRET,
    AMELIA_GITHUB_REPOSITORIES: `${REPOSITORY}, octo-org/other-listed`,
  });
  github.addRepository(REPOSITORY, { files: { "README.md": "# App\n" } });
  github.addRepository("octo-org/unlisted", { files: { "README.md": "# Unlisted\n" } });
  github.setPermission(REPOSITORY, MAINTAINER, "maintain");
  github.setPermission(REPOSITORY, READER, "read");
});
afterAll(async () => {
  for (const name of [
    "GITHUB_TOKEN",
    "AMELIA_GITHUB_API_URL",
    "GITHUB_WEBHOOK_SECRET",
    "AMELIA_GITHUB_REPOSITORIES",
  ]) {
    delete process.env[name];
  }
  await github.close();
});
const fixture = useTestRuntime();

function newIssue(title: string, body: string) {
  const number = github.addIssue(REPOSITORY, { title, body });
  return {
    number,
    payload: labeledIssue({
      repository: REPOSITORY,
      number,
      title,
      body,
      label: "amelia",
      sender: MAINTAINER,
    }),
  };
}

async function workflowsOn(issueId: string): Promise<Workflow[]> {
  const { body } = await fixture.api.request<{ workflows: Workflow[] }>(
    "GET",
    "/api/workflows?limit=100",
  );
  return body.workflows.filter((workflow) => workflow.issueId === issueId);
}

/** The one status comment of a workflow, as the fake GitHub holds it. */
function statusComment(number: number, workflowId: string) {
  const comments = github
    .comments(REPOSITORY, number)
    .filter((comment) => comment.body.includes(`<!-- amelia:status ${workflowId} -->`));
  expect(comments, `status comments of ${workflowId} on #${number}`).toHaveLength(1);
  return comments[0]!;
}

async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A delivery signed with the hook's secret. */
function send<E extends WebhookEventName>(event: E, payload: WebhookEventMap[E]) {
  return deliver(fixture.runtime.url, { event, payload, secret: SECRET });
}

function comment(number: number, body: string, sender: string, onPullRequest = false) {
  const posted = github.addComment(REPOSITORY, number, { login: sender, body });
  return issueComment({
    repository: REPOSITORY,
    number,
    body,
    sender,
    onPullRequest,
    commentId: posted.id,
  });
}

describe("GitHub's webhook deliveries", () => {
  it("refuses a delivery that is unsigned, wrongly signed or signed with another secret: 401, nothing happens", async () => {
    const { number, payload } = newIssue("Unsigned", "- a step");
    const attempts = [
      { signatureHeader: null },
      { signatureHeader: "sha256=" + "0".repeat(64) },
      { secret: "the secret of another, older hook" },
    ];
    for (const attempt of attempts) {
      const answer = await deliver(fixture.runtime.url, { event: "issues", payload, ...attempt });
      expect(answer.status, JSON.stringify(attempt)).toBe(401);
    }
    expect(await workflowsOn(`${REPOSITORY}#${number}`)).toEqual([]);
    expect(github.comments(REPOSITORY, number)).toEqual([]);
  });

  it("refuses a body over 1 MiB with 413, and one without its delivery id with 400 naming the header", async () => {
    const number = github.addIssue(REPOSITORY, { title: "Huge", body: "tiny" });
    const huge = labeledIssue({
      repository: REPOSITORY,
      number,
      title: "Huge",
      body: "x".repeat(1_100_000),
      label: "amelia",
      sender: MAINTAINER,
    });
    const tooLarge = await send("issues", huge);
    expect(tooLarge).toMatchObject({ status: 413, body: { code: "PAYLOAD_TOO_LARGE" } });
    const body = JSON.stringify(newIssue("No delivery id", "- a step").payload);
    const response = await fetch(`${fixture.runtime.url}/api/github/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-hub-signature-256": await signature(SECRET, body),
      },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ details: [{ field: "x-github-delivery" }] });
    expect(await workflowsOn(`${REPOSITORY}#${number}`)).toEqual([]);
  });

  it("answers 202 to an event it does not handle and to a label on a repository not listed", async () => {
    const star = await send("star", starCreated({ repository: REPOSITORY, sender: MAINTAINER }));
    expect(star).toMatchObject({ status: 202, body: { outcome: "ignored" } });
    const number = github.addIssue("octo-org/unlisted", { title: "Elsewhere", body: "- a step" });
    const elsewhere = await send(
      "issues",
      labeledIssue({
        repository: "octo-org/unlisted",
        number,
        title: "Elsewhere",
        body: "- a step",
        label: "amelia",
        sender: MAINTAINER,
      }),
    );
    expect(elsewhere).toMatchObject({ status: 202, body: { outcome: "ignored" } });
    expect(await workflowsOn(`octo-org/unlisted#${number}`)).toEqual([]);
  });

  it("takes a labelled issue through its gates by comments, and revises its pull request on a review", async () => {
    const { number, payload } = newIssue(
      "Add a dark mode",
      "- Add a theme toggle\n- Remember the choice",
    );
    const issueId = `${REPOSITORY}#${number}`;

    // Delivered three times (GitHub's redelivery keeps the delivery id): one workflow.
    const first = await send("issues", payload);
    expect(first).toMatchObject({ status: 200, body: { outcome: "started" } });
    const workflowId = (first.body as { workflowId: string }).workflowId;
    for (let again = 0; again < 2; again++) {
      const redelivery = await deliver(fixture.runtime.url, {
        event: "issues",
        payload,
        secret: SECRET,
        deliveryId: first.deliveryId,
      });
      expect(redelivery).toMatchObject({
        status: 200,
        body: { outcome: "started", workflowId, redelivery: true },
      });
    }
    const planned = await fixture.api.waitFor(workflowId, (w) => w.status === "blocked");
    expect(planned).toMatchObject({
      title: "Add a dark mode",
      startedBy: { source: "github", login: MAINTAINER },
      kind: "issue",
    });
    expect(await workflowsOn(issueId)).toHaveLength(1);
    await eventually("the status comment at the plan gate", () =>
      statusComment(number, workflowId).body.includes("The plan is ready"),
    );
    expect(statusComment(number, workflowId).body).toContain("/amelia approve");
    expect(statusComment(number, workflowId).author.login).toBe(github.authenticatedUser.login);

    // Amelia's own comment never acts, even when it reads like a command.
    const own = await send(
      "issue_comment",
      issueComment({
        repository: REPOSITORY,
        number,
        body: statusComment(number, workflowId).body,
        sender: github.authenticatedUser,
      }),
    );
    expect(own).toMatchObject({ status: 202, body: { outcome: "ignored" } });

    // Someone who may only read gets a reply; the gate still waits.
    const refused = await send("issue_comment", comment(number, "/amelia approve", READER));
    expect(refused).toMatchObject({ status: 200, body: { outcome: "refused" } });
    const replies = github
      .comments(REPOSITORY, number)
      .filter(
        (c) => c.author.login === github.authenticatedUser.login && c.body.includes(`@${READER}`),
      );
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("write access");
    expect((await fixture.api.get(workflowId)).body).toMatchObject({
      status: "blocked",
      gate: "plan",
    });

    // A maintainer's rejection: the architect plans again with the feedback.
    const rejected = await send(
      "issue_comment",
      comment(number, "/amelia reject needs tests", MAINTAINER),
    );
    expect(rejected).toMatchObject({ status: 200, body: { outcome: "rejected", workflowId } });
    const replanned = await fixture.api.waitFor(
      workflowId,
      (w) => w.status === "blocked" && w.iteration.plan === 2,
    );
    expect(replanned.plan).toContain("needs tests");
    const events = await fixture.api.events(workflowId);
    expect(ofType(events, "approval_rejected")[0]?.data).toMatchObject({
      gate: "plan",
      feedback: "needs tests",
      by: { source: "github", login: MAINTAINER },
    });

    // The maintainer's approval: the developer runs; the status comment follows to the end.
    const approved = await send("issue_comment", comment(number, "/amelia approve", MAINTAINER));
    expect(approved).toMatchObject({ status: 200, body: { outcome: "approved" } });
    const completed = await fixture.api.waitForStatus(workflowId, "completed", 60_000);
    const afterApproval = await fixture.api.events(workflowId);
    expect(ofType(afterApproval, "approval_granted")[0]?.data.by).toEqual({
      source: "github",
      login: MAINTAINER,
    });
    expect(ofType(afterApproval, "stage_started").some((e) => e.data.stage === "developer")).toBe(
      true,
    );
    expect(completed.pullRequestUrl).toBeDefined();
    await eventually("the completed status comment", () =>
      statusComment(number, workflowId).body.includes(completed.pullRequestUrl as string),
    );
    expect(statusComment(number, workflowId).history.length).toBeGreaterThan(2);

    // A command when no gate is open: a reply saying so.
    const late = await send("issue_comment", comment(number, "/amelia approve", MAINTAINER));
    expect(late).toMatchObject({ status: 200, body: { outcome: "no_workflow" } });

    // A review requesting changes: a revision on the same branch, the same pull request.
    const [pull] = github.pullRequests(REPOSITORY);
    expect(pull).toBeDefined();
    const branch = completed.branch as string;
    const tipBefore = github.branchTip(REPOSITORY, branch) as string;
    const review = github.addReview(REPOSITORY, pull!.number, {
      login: MAINTAINER,
      state: "CHANGES_REQUESTED",
      body: "Please also document the toggle",
      comments: [{ path: "README.md", line: 1, body: "Mention dark mode here" }],
    });
    const reviewPayload = reviewSubmitted({
      repository: REPOSITORY,
      pullRequest: {
        number: pull!.number,
        htmlUrl: completed.pullRequestUrl as string,
        body: pull!.body ?? "",
        headRef: branch,
      },
      review,
      sender: MAINTAINER,
    });
    const revised = await send("pull_request_review", reviewPayload);
    expect(revised).toMatchObject({ status: 200, body: { outcome: "revision_started" } });
    const revisionId = (revised.body as { workflowId: string }).workflowId;

    // A second revision while one runs is refused, with a comment on the pull request.
    const second = await send(
      "issue_comment",
      comment(pull!.number, "/amelia revise also add a changelog entry", MAINTAINER, true),
    );
    expect(second).toMatchObject({ status: 200, body: { outcome: "conflict" } });
    expect(
      github
        .comments(REPOSITORY, pull!.number)
        .some((c) => c.body.includes("one at a time") && c.body.includes(revisionId)),
    ).toBe(true);

    const revision = await fixture.api.waitForStatus(revisionId, "completed", 60_000);
    expect(revision).toMatchObject({
      kind: "revision",
      revisionOf: workflowId,
      branch,
      pullRequestUrl: completed.pullRequestUrl,
      startedBy: { source: "github", login: MAINTAINER },
    });
    const revisionEvents = await fixture.api.events(revisionId);
    const stages = ofType(revisionEvents, "stage_started").map((e) => e.data.stage);
    expect(stages[0]).toBe("developer");
    expect(stages).toContain("reviewer");
    expect(ofType(revisionEvents, "approval_required")).toEqual([]);
    // The branch moved forward from where the pull request was: revision commits on top.
    const tipAfter = github.branchTip(REPOSITORY, branch) as string;
    expect(tipAfter).not.toBe(tipBefore);
    expect(commitsBetween(branch, tipBefore, tipAfter)).toBeGreaterThan(0);
    expect(github.pullRequests(REPOSITORY)).toHaveLength(1);
    expect(github.pullRequests(REPOSITORY)[0]?.state).toBe("open");
    // The developer's first revision round worked on the review: its words and its line comment.
    const firstRevisionCommit = commitAfter(tipBefore, tipAfter);
    const revisedDocument = github.filesAt(REPOSITORY, firstRevisionCommit)[
      `docs/amelia/octo-org-app-${pull!.number}.md`
    ];
    expect(revisedDocument).toContain("README.md:1 (@mona): Mention dark mode here");
    expect(revisedDocument).toContain("Please also document the toggle");
    expect((await fixture.api.get(workflowId)).body).toMatchObject({
      status: "completed",
      revisions: [revisionId],
    });
    await eventually("the revision's status comment on the pull request", () =>
      github
        .comments(REPOSITORY, pull!.number)
        .some(
          (c) =>
            c.body.includes(`<!-- amelia:status ${revisionId} -->`) && c.body.includes("Completed"),
        ),
    );
    printTimeline([...(await fixture.api.events(workflowId)), ...revisionEvents]);
  }, 180_000);
});

/** The commit right after `from` on the way to `to` (first parents). */
function commitAfter(from: string, to: string): string {
  for (let commit = to; ;) {
    const parent = github.commitInfo(REPOSITORY, commit).parents[0];
    if (parent === undefined) throw new Error(`${from} is not an ancestor of ${to}`);
    if (parent === from) return commit;
    commit = parent;
  }
}

/** How many commits lead from `from` to `to` (first parents). */
function commitsBetween(branch: string, from: string, to: string): number {
  let count = 0;
  for (let commit = to; commit !== from; count++) {
    const parent = github.commitInfo(REPOSITORY, commit).parents[0];
    if (parent === undefined) throw new Error(`${from} is not an ancestor of ${to} on ${branch}`);
    commit = parent;
  }
  return count;
}

/** The end-to-end timeline, for the record: time since the first event, workflow, type, message. */
function printTimeline(events: WorkflowEvent[]): void {
  const sorted = [...events].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const start = Date.parse(sorted[0]!.timestamp);
  const lines = sorted
    .filter(
      (event) =>
        !["agent_message", "token_usage", "file_created", "file_modified"].includes(event.type),
    )
    .map(
      (event) =>
        `${String(Date.parse(event.timestamp) - start).padStart(6)} ms  ${event.workflowId.slice(0, 8)}  ${event.type.padEnd(20)} ${event.message.slice(0, 100)}`,
    );
  console.log(`GitHub timeline:\n${lines.join("\n")}`);
}

describe("a runtime without a webhook secret", () => {
  it("answers every delivery 503, saying what to set, and acts on none", async () => {
    const runtime = await startTestRuntime({ env: { GITHUB_WEBHOOK_SECRET: "" } });
    try {
      const { payload } = newIssue("Unconfigured", "- a step");
      const answer = await deliver(runtime.url, { event: "issues", payload, secret: SECRET });
      expect(answer.status).toBe(503);
      expect(JSON.stringify(answer.body)).toContain("GITHUB_WEBHOOK_SECRET");
    } finally {
      await runtime.stop();
    }
  });
});
