import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import definitions from "@octokit/webhooks-examples";
import { verify } from "@octokit/webhooks-methods";
import type {
  IssueCommentCreatedEvent,
  IssuesLabeledEvent,
  PullRequestReviewSubmittedEvent,
} from "@octokit/webhooks-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub } from "../../support/fakeGitHub";
import {
  assignedIssue,
  deliver,
  issueComment,
  labeledIssue,
  reviewSubmitted,
  signature,
  starCreated,
} from "../../support/githubWebhooks";

/** The raw example the builders start from, to compare the fields they must keep. */
function example<T>(event: string, action: string): T {
  const found = definitions
    .find((definition) => definition.name === event)
    ?.examples.find((candidate) => (candidate as { action?: string }).action === action);
  if (!found) throw new Error(`no example of ${event}.${action}`);
  return found as T;
}

describe("signature", () => {
  it("signs as GitHub does: verify accepts it with the secret and refuses it with another", async () => {
    const body = JSON.stringify({ zen: "Design for failure." });
    const signed = await signature("s3cret", body);
    expect(signed).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verify("s3cret", body, signed)).toBe(true);
    expect(await verify("other", body, signed)).toBe(false);
    expect(await verify("s3cret", `${body} `, signed)).toBe(false);
  });
});

describe("payload builders", () => {
  const repository = "Octo-Org/App";

  it("labeledIssue moves the example to the repository and issue, keeping its other fields", () => {
    const original = example<IssuesLabeledEvent>("issues", "labeled");
    const payload = labeledIssue({
      repository,
      number: 7,
      title: "Add a footer",
      body: "With the year",
      label: "Amelia",
      sender: "alice",
    });
    expect(payload.action).toBe("labeled");
    expect(payload.repository).toMatchObject({
      name: "App",
      full_name: repository,
      owner: { login: "Octo-Org", html_url: "https://github.com/Octo-Org" },
      html_url: `https://github.com/${repository}`,
      url: `https://api.github.com/repos/${repository}`,
      clone_url: `https://github.com/${repository}.git`,
      default_branch: original.repository.default_branch,
      created_at: original.repository.created_at,
    });
    expect(payload.issue).toMatchObject({
      number: 7,
      title: "Add a footer",
      body: "With the year",
      url: `https://api.github.com/repos/${repository}/issues/7`,
      comments_url: `https://api.github.com/repos/${repository}/issues/7/comments`,
      html_url: `https://github.com/${repository}/issues/7`,
      state: original.issue.state,
      created_at: original.issue.created_at,
      labels: [payload.label],
    });
    expect(payload.issue.user.login).toBe(original.issue.user.login);
    expect(payload.label).toMatchObject({
      name: "Amelia",
      color: original.label?.color,
      url: `https://api.github.com/repos/${repository}/labels/Amelia`,
    });
    expect(payload.sender).toMatchObject({
      login: "alice",
      type: "User",
      url: "https://api.github.com/users/alice",
      followers_url: "https://api.github.com/users/alice/followers",
    });
    expect(JSON.stringify(payload)).not.toContain(original.repository.full_name);
  });

  it("assignedIssue names the assignee on the issue and the payload", () => {
    const payload = assignedIssue({
      repository,
      number: 3,
      title: "Fix it",
      body: null,
      assignee: { login: "amelia-bot", type: "Bot" },
      sender: "alice",
    });
    expect(payload.action).toBe("assigned");
    expect(payload.assignee).toMatchObject({ login: "amelia-bot", type: "Bot" });
    expect(payload.issue.assignee).toEqual(payload.assignee);
    expect(payload.issue.assignees).toEqual([payload.assignee]);
    expect(payload.issue).toMatchObject({ number: 3, title: "Fix it", body: null });
    expect(payload.sender.login).toBe("alice");
  });

  it("issueComment puts the comment on an issue or, as GitHub marks it, a pull request", () => {
    const original = example<IssueCommentCreatedEvent>("issue_comment", "created");
    const onIssue = issueComment({
      repository,
      number: 5,
      body: "/amelia approve",
      sender: "alice",
    });
    expect(onIssue.issue.pull_request).toBeUndefined();
    expect(onIssue.issue.title).toBe(original.issue.title);
    expect(onIssue.issue.body).toBe(original.issue.body);
    expect(onIssue.issue.created_at).toBe(original.issue.created_at);
    expect(onIssue.issue.labels.map((label) => label.name)).toEqual(
      original.issue.labels.map((label) => label.name),
    );
    expect(onIssue.comment).toMatchObject({
      body: "/amelia approve",
      user: { login: "alice" },
      issue_url: `https://api.github.com/repos/${repository}/issues/5`,
    });
    expect(onIssue.comment.html_url).toBe(
      `https://github.com/${repository}/issues/5#issuecomment-${onIssue.comment.id}`,
    );

    const onPull = issueComment({
      repository,
      number: 9,
      body: "Status",
      sender: { login: "amelia-bot", type: "Bot" },
      onPullRequest: true,
      commentId: 4242,
    });
    expect(onPull.issue.pull_request).toMatchObject({
      url: `https://api.github.com/repos/${repository}/pulls/9`,
      html_url: `https://github.com/${repository}/pull/9`,
    });
    expect(onPull.comment).toMatchObject({
      id: 4242,
      html_url: `https://github.com/${repository}/pull/9#issuecomment-4242`,
      url: `https://api.github.com/repos/${repository}/issues/comments/4242`,
    });
    expect(onPull.sender).toMatchObject({ login: "amelia-bot", type: "Bot" });
  });

  describe("reviewSubmitted", () => {
    let github: FakeGitHub;
    beforeAll(async () => {
      github = await FakeGitHub.start();
    });
    afterAll(() => github.close());

    it("carries the fake's review and the pull request's page, body and head", async () => {
      const original = example<PullRequestReviewSubmittedEvent>("pull_request_review", "submitted");
      github.addRepository(repository, { files: { "a.txt": "a\n" } });
      github.createBranch(repository, "amelia/wf-1", "main");
      github.pushCommit(repository, "amelia/wf-1", { "a.txt": "b\n" }, "Change");
      const response = await fetch(`${github.url}/repos/${repository}/pulls`, {
        method: "POST",
        headers: {
          authorization: `token ${github.token}`,
          "user-agent": "test",
          "content-type": "application/json",
        },
        body: JSON.stringify({ title: "Change", head: "amelia/wf-1", base: "main" }),
      });
      const pull = (await response.json()) as { number: number; html_url: string };
      const review = github.addReview(repository, pull.number, {
        login: "alice",
        state: "CHANGES_REQUESTED",
        body: "Rename it",
        comments: [{ path: "a.txt", line: 1, body: "Here" }],
      });

      const payload = reviewSubmitted({
        repository,
        pullRequest: {
          number: pull.number,
          htmlUrl: pull.html_url,
          body: "<!-- amelia:workflow wf-1 -->",
          headRef: "amelia/wf-1",
        },
        review,
        sender: review.user,
      });
      expect(payload.action).toBe("submitted");
      expect(payload.review).toMatchObject({
        id: review.id,
        state: "changes_requested",
        body: "Rename it",
        commit_id: review.commit_id,
        html_url: review.html_url,
        user: { login: "alice", id: review.user.id },
      });
      expect(payload.review.user.followers_url).toBe(
        "https://api.github.com/users/alice/followers",
      );
      expect(payload.pull_request).toMatchObject({
        number: pull.number,
        html_url: pull.html_url,
        body: "<!-- amelia:workflow wf-1 -->",
        url: `https://api.github.com/repos/${repository}/pulls/${pull.number}`,
        diff_url: `https://github.com/${repository}/pull/${pull.number}.diff`,
        head: {
          ref: "amelia/wf-1",
          label: "Octo-Org:amelia/wf-1",
          sha: review.commit_id,
          repo: { full_name: repository, name: "App", owner: { login: "Octo-Org" } },
        },
        base: { ref: original.pull_request.base.ref, repo: { full_name: repository } },
        created_at: original.pull_request.created_at,
        locked: original.pull_request.locked,
      });
      expect(payload.sender).toMatchObject({ login: "alice", id: review.user.id });
    });
  });

  it("starCreated is an event of its own, moved to the repository", () => {
    const payload = starCreated({ repository, sender: "alice" });
    expect(payload).toMatchObject({
      action: "created",
      starred_at: example<{ starred_at: string }>("star", "created").starred_at,
      repository: { full_name: repository },
      sender: { login: "alice" },
    });
  });

  it("refuses a repository that is not owner/name", () => {
    expect(() => starCreated({ repository: "app", sender: "alice" })).toThrow(
      "repository app: expected owner/name",
    );
  });
});

describe("deliver", () => {
  interface Received {
    url: string | undefined;
    headers: IncomingHttpHeaders;
    body: string;
  }
  let server: Server;
  let baseUrl: string;
  let received: Received[];
  /** What the receiver answers next. */
  let answer: { status: number; contentType: string; body: string };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        response.writeHead(answer.status, { "content-type": answer.contentType });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received = [];
    answer = { status: 200, contentType: "application/json", body: '{"outcome":"started"}' };
  });

  const payload = () =>
    labeledIssue({
      repository: "octo-org/app",
      number: 1,
      title: "T",
      body: "B",
      label: "amelia",
      sender: "alice",
    });

  it("POSTs the payload with GitHub's headers, signed with the secret", async () => {
    const sent = payload();
    const result = await deliver(baseUrl, { event: "issues", payload: sent, secret: "s3cret" });
    expect(result).toEqual({
      status: 200,
      body: { outcome: "started" },
      deliveryId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/) as string,
    });
    const [request] = received;
    expect(request?.url).toBe("/api/github/webhook");
    expect(JSON.parse(request?.body ?? "")).toEqual(sent);
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": result.deliveryId,
      "x-github-hook-id": expect.stringMatching(/^\d+$/) as string,
      "x-github-hook-installation-target-type": "repository",
      "x-github-hook-installation-target-id": String(sent.repository.id),
      "user-agent": expect.stringMatching(/^GitHub-Hookshot\//) as string,
    });
    const signed = request?.headers["x-hub-signature-256"] as string;
    expect(await verify("s3cret", request?.body ?? "", signed)).toBe(true);
    expect(request?.headers["x-hub-signature"]).toMatch(/^sha1=[0-9a-f]{40}$/);

    const again = await deliver(baseUrl, { event: "issues", payload: sent, secret: "s3cret" });
    expect(again.deliveryId).not.toBe(result.deliveryId);
  });

  it("repeats a given delivery id and sends the signature header it is told to, or none", async () => {
    await deliver(baseUrl, {
      event: "issues",
      payload: payload(),
      secret: "s3cret",
      signatureHeader: "sha256=forged",
      deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    });
    await deliver(baseUrl, {
      event: "issues",
      payload: payload(),
      secret: "s3cret",
      signatureHeader: null,
    });
    await deliver(baseUrl, { event: "issues", payload: payload() });
    const [forged, omitted, unsigned] = received;
    expect(forged?.headers["x-hub-signature-256"]).toBe("sha256=forged");
    expect(forged?.headers["x-github-delivery"]).toBe("72d3162e-cc78-11e3-81ab-4c9367dc0958");
    for (const request of [omitted, unsigned]) {
      expect(request?.headers).not.toHaveProperty("x-hub-signature-256");
      expect(request?.headers).not.toHaveProperty("x-hub-signature");
    }
  });

  it("returns a text answer as text, and fails with the delivery named when no one answers", async () => {
    answer = { status: 401, contentType: "text/plain", body: "Unauthorized" };
    const result = await deliver(baseUrl, {
      event: "star",
      payload: starCreated({ repository: "o/r", sender: "a" }),
    });
    expect(result).toMatchObject({ status: 401, body: "Unauthorized" });

    await expect(
      deliver("http://127.0.0.1:1", { event: "issues", payload: payload(), deliveryId: "d-1" }),
    ).rejects.toThrow("deliver issues d-1 to http://127.0.0.1:1/api/github/webhook");
  });
});
