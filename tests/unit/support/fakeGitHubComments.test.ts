import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGitHub, type RepositoryOptions } from "../../support/fakeGitHub";

/** A client of the fake that keeps the failures the tests provoke out of the output. */
function client(fake: FakeGitHub, token = fake.token): Octokit {
  const quiet = () => undefined;
  const log = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  return new Octokit({ auth: token, baseUrl: fake.url, log });
}

let github: FakeGitHub;
let octokit: Octokit;
beforeAll(async () => {
  github = await FakeGitHub.start();
  octokit = client(github);
});
afterAll(() => github.close());

let counter = 0;
let owner: string;
let repo: string;
let fullName: string;

/** A fresh repository (with the given options) for each test, so none sees another's data. */
function freshRepository(options: RepositoryOptions = {}): void {
  counter += 1;
  owner = "octo-org";
  repo = `app-${counter}`;
  fullName = `${owner}/${repo}`;
  github.addRepository(fullName, {
    files: { "README.md": "# App\n", "src/app.ts": "one\ntwo\nthree\nfour\nfive\nsix\n" },
    ...options,
  });
}

beforeEach(() => freshRepository());

/** The HTTP status and body a call failed with (Octokit's RequestError carries them). */
async function failureOf(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await call;
  } catch (error) {
    const { status, response } = error as { status: number; response?: { data: unknown } };
    return { status, body: response?.data };
  }
  throw new Error("the call succeeded");
}

async function statusOf(call: Promise<unknown>): Promise<number> {
  return (await failureOf(call)).status;
}

/** A pull request opened through the API, as Amelia opens one, changing `src/app.ts`. */
async function openPull(body = "Closes #1", head = "amelia/feature"): Promise<number> {
  github.createBranch(fullName, head, "main");
  github.pushCommit(fullName, head, { "src/app.ts": "one\nTWO\nthree\n" }, "Work");
  const { data } = await octokit.rest.pulls.create({
    owner,
    repo,
    title: "Feature",
    head,
    base: "main",
    body,
  });
  return data.number;
}

describe("issue comments", () => {
  it("creates a comment as the token's user and edits it in place", async () => {
    const number = github.addIssue(fullName, { title: "Bug" });
    const created = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: number,
      body: "Working on it",
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      body: "Working on it",
      user: { login: "amelia-bot", type: "Bot" },
      html_url: `${github.url}/${fullName}/issues/${number}#issuecomment-${created.data.id}`,
      issue_url: `${github.url}/repos/${fullName}/issues/${number}`,
      url: `${github.url}/repos/${fullName}/issues/comments/${created.data.id}`,
      author_association: "NONE",
    });

    const edited = await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: created.data.id,
      body: "Done",
    });
    expect(edited.status).toBe(200);
    expect(edited.data).toMatchObject({ id: created.data.id, body: "Done" });
    expect(github.comments(fullName, number)).toEqual([
      {
        id: created.data.id,
        author: { login: "amelia-bot", type: "Bot" },
        body: "Done",
        history: ["Working on it", "Done"],
      },
    ]);
    const listed = await octokit.rest.issues.listComments({ owner, repo, issue_number: number });
    expect(listed.data.map((comment) => comment.body)).toEqual(["Done"]);
  });

  it("comments on a pull request under its number, with the pull request's page", async () => {
    const number = await openPull();
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: number,
      body: "Status",
    });
    expect(data.html_url).toBe(`${github.url}/${fullName}/pull/${number}#issuecomment-${data.id}`);
    expect(github.comments(fullName, number).map((comment) => comment.body)).toEqual(["Status"]);
  });

  it("answers as GitHub does: 404 unknown number or comment, 422 without a body, 401 bad token", async () => {
    const number = github.addIssue(fullName, { title: "Bug" });
    const comment = { owner, repo, issue_number: number };
    expect(
      await statusOf(
        octokit.rest.issues.createComment({ ...comment, issue_number: 99, body: "Hi" }),
      ),
    ).toBe(404);
    const withoutBody = octokit.request(`POST /repos/${fullName}/issues/${number}/comments`, {
      text: "Hi",
    });
    expect(await failureOf(withoutBody)).toMatchObject({
      status: 422,
      body: { message: 'Invalid request.\n\n"body" wasn\'t supplied.' },
    });
    expect(await failureOf(octokit.rest.issues.createComment({ ...comment, body: "  " }))).toEqual({
      status: 422,
      body: expect.objectContaining({
        message: "Validation Failed",
        errors: [{ resource: "IssueComment", field: "body", code: "missing_field" }],
      }) as unknown,
    });
    expect(
      await statusOf(octokit.rest.issues.createComment({ ...comment, body: "x".repeat(65_537) })),
    ).toBe(422);
    expect(
      await statusOf(
        octokit.rest.issues.updateComment({ owner, repo, comment_id: 424242, body: "x" }),
      ),
    ).toBe(404);
    const stranger = client(github, "ghp_wrong");
    expect(await statusOf(stranger.rest.issues.createComment({ ...comment, body: "Hi" }))).toBe(
      401,
    );
    expect(await statusOf(octokit.rest.issues.listComments({ ...comment, issue_number: 99 }))).toBe(
      404,
    );
    expect(github.comments(fullName, number)).toEqual([]);
    expect(github.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `repos/${fullName}/issues/99/comments`,
    });
  });

  it("lets a read-only token comment and edit its own comments, not others', nor write when archived", async () => {
    freshRepository({ canPush: false });
    const number = github.addIssue(fullName, { title: "Bug" });
    const mine = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: number,
      body: "Mine",
    });
    await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: mine.data.id,
      body: "Still mine",
    });
    const theirs = github.addComment(fullName, number, { login: "octocat", body: "Theirs" });
    expect(
      await statusOf(
        octokit.rest.issues.updateComment({ owner, repo, comment_id: theirs.id, body: "x" }),
      ),
    ).toBe(403);
    expect(github.comments(fullName, number).map((comment) => comment.body)).toEqual([
      "Still mine",
      "Theirs",
    ]);

    freshRepository({ archived: true });
    const archivedIssue = github.addIssue(fullName, { title: "Old" });
    expect(
      await statusOf(
        octokit.rest.issues.createComment({ owner, repo, issue_number: archivedIssue, body: "x" }),
      ),
    ).toBe(403);
  });

  it("puts a person's comment, returned as the API shows it", async () => {
    const number = github.addIssue(fullName, { title: "Bug" });
    github.setPermission(fullName, "octocat", "write");
    const added = github.addComment(fullName, number, {
      login: "octocat",
      body: "/amelia approve",
    });
    const { data } = await octokit.rest.issues.listComments({ owner, repo, issue_number: number });
    expect(data).toEqual([added]);
    expect(added).toMatchObject({
      body: "/amelia approve",
      user: { login: "octocat", type: "User" },
      author_association: "COLLABORATOR",
    });
    expect(() => github.addComment(fullName, 99, { login: "octocat", body: "x" })).toThrow(
      `No issue or pull request #99 in ${fullName}`,
    );
  });

  it("paginates as GitHub does, with a link header Octokit follows", async () => {
    const number = github.addIssue(fullName, { title: "Busy" });
    const bodies = ["one", "two", "three", "four", "five"];
    for (const body of bodies) github.addComment(fullName, number, { login: "octocat", body });

    const second = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: number,
      per_page: 2,
      page: 2,
    });
    expect(second.data.map((comment) => comment.body)).toEqual(["three", "four"]);
    const page = (n: number) =>
      `<${github.url}/repos/${fullName}/issues/${number}/comments?per_page=2&page=${n}>`;
    expect(second.headers.link).toBe(
      `${page(1)}; rel="prev", ${page(3)}; rel="next", ${page(3)}; rel="last", ${page(1)}; rel="first"`,
    );

    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: number,
      per_page: 2,
    });
    expect(all.map((comment) => comment.body)).toEqual(bodies);
    const last = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: number,
      per_page: 100,
    });
    expect(last.headers.link).toBeUndefined();
  });

  it("writes as the user the fake was started with", async () => {
    const other = await FakeGitHub.start({ user: { login: "amelia-dev", type: "User" } });
    try {
      other.addRepository("octo-org/solo", {});
      const number = other.addIssue("octo-org/solo", { title: "Bug" });
      await client(other).rest.issues.createComment({
        owner: "octo-org",
        repo: "solo",
        issue_number: number,
        body: "Hi",
      });
      expect(other.authenticatedUser).toEqual({ login: "amelia-dev", type: "User" });
      expect(other.comments("octo-org/solo", number)[0]?.author).toEqual({
        login: "amelia-dev",
        type: "User",
      });
    } finally {
      await other.close();
    }
  });
});

describe("collaborator permission", () => {
  const permissionOf = (username: string) =>
    octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });

  it("answers a role with GitHub's legacy permission beside it", async () => {
    const roles = [
      ["admin", "admin"],
      ["maintain", "write"],
      ["write", "write"],
      ["triage", "read"],
      ["read", "read"],
      ["none", "none"],
    ] as const;
    for (const [role, permission] of roles) {
      github.setPermission(fullName, `user-${role}`, role);
      const { data } = await permissionOf(`User-${role}`);
      expect(data).toMatchObject({ permission, role_name: role, user: { login: `User-${role}` } });
    }
  });

  it("answers 404 for a login never given a role, and 403 to a token that cannot push", async () => {
    expect(await statusOf(permissionOf("stranger"))).toBe(404);
    freshRepository({ canPush: false });
    github.setPermission(fullName, "octocat", "admin");
    expect(await statusOf(permissionOf("octocat"))).toBe(403);
  });
});

describe("pull requests", () => {
  it("gets one pull request with its head, base, author and state", async () => {
    const number = await openPull("Body <!-- amelia:workflow wf-1 -->");
    const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
    expect(data).toMatchObject({
      number,
      state: "open",
      title: "Feature",
      body: "Body <!-- amelia:workflow wf-1 -->",
      html_url: `${github.url}/${fullName}/pull/${number}`,
      head: {
        ref: "amelia/feature",
        sha: github.branchTip(fullName, "amelia/feature"),
        label: `${owner}:amelia/feature`,
      },
      base: { ref: "main" },
      user: { login: "amelia-bot", type: "Bot" },
      merged: false,
    });
    expect(await statusOf(octokit.rest.pulls.get({ owner, repo, pull_number: 99 }))).toBe(404);
    const issue = github.addIssue(fullName, { title: "Not a pull" });
    expect(await statusOf(octokit.rest.pulls.get({ owner, repo, pull_number: issue }))).toBe(404);
  });

  it("updates the title, body and state, and refuses a state GitHub does not know", async () => {
    const number = await openPull();
    const { data } = await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: number,
      body: "New body",
      state: "closed",
    });
    expect(data).toMatchObject({ title: "Feature", body: "New body", state: "closed" });
    expect(github.pullRequests(fullName)[0]).toMatchObject({ body: "New body", state: "closed" });
    const merged = octokit.request(`PATCH /repos/${fullName}/pulls/${number}`, {
      state: "merged",
    });
    expect(await statusOf(merged)).toBe(422);
  });
});

describe("reviews", () => {
  it("returns the review as the webhook shows it and lists its comments as the API does", async () => {
    const number = await openPull();
    const headSha = github.branchTip(fullName, "amelia/feature");
    const review = github.addReview(fullName, number, {
      login: "octocat",
      state: "CHANGES_REQUESTED",
      body: "Please rename",
      comments: [
        { path: "src/app.ts", line: 2, body: "Lower case" },
        { path: "README.md", body: "Mention it here" },
      ],
    });
    expect(review).toMatchObject({
      state: "changes_requested",
      body: "Please rename",
      commit_id: headSha,
      user: { login: "octocat", type: "User" },
      html_url: `${github.url}/${fullName}/pull/${number}#pullrequestreview-${review.id}`,
      pull_request_url: `${github.url}/repos/${fullName}/pulls/${number}`,
    });

    const { data } = await octokit.rest.pulls.listCommentsForReview({
      owner,
      repo,
      pull_number: number,
      review_id: review.id,
    });
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({
      pull_request_review_id: review.id,
      path: "src/app.ts",
      line: 2,
      original_line: 2,
      side: "RIGHT",
      body: "Lower case",
      commit_id: headSha,
      user: { login: "octocat" },
      diff_hunk: "@@ -1,2 +1,2 @@\n one\n TWO",
    });
    expect(data[0]?.html_url).toBe(
      `${github.url}/${fullName}/pull/${number}#discussion_r${data[0]?.id}`,
    );
    expect(data[1]).toMatchObject({ path: "README.md", line: null, subject_type: "file" });

    const firstPage = await octokit.rest.pulls.listCommentsForReview({
      owner,
      repo,
      pull_number: number,
      review_id: review.id,
      per_page: 1,
    });
    expect(firstPage.data.map((comment) => comment.body)).toEqual(["Lower case"]);
    expect(firstPage.headers.link).toContain('rel="next"');
  });

  it("answers 404 for an unknown review or one of another pull request", async () => {
    const number = await openPull();
    const review = github.addReview(fullName, number, { login: "octocat", state: "APPROVED" });
    expect(review.body).toBeNull();
    const list = (pull_number: number, review_id: number) =>
      octokit.rest.pulls.listCommentsForReview({ owner, repo, pull_number, review_id });
    expect((await list(number, review.id)).data).toEqual([]);
    expect(await statusOf(list(number, review.id + 1000))).toBe(404);
    const otherPull = await openPull("Another", "amelia/other");
    expect(await statusOf(list(otherPull, review.id))).toBe(404);
    const issue = github.addIssue(fullName, { title: "Not a pull" });
    expect(await statusOf(list(issue, review.id))).toBe(404);
  });

  it("refuses a review comment on a file or line the head does not have", async () => {
    const number = await openPull();
    const review = (path: string, line?: number) => () =>
      github.addReview(fullName, number, {
        login: "octocat",
        state: "COMMENTED",
        comments: [{ path, line, body: "Here" }],
      });
    expect(review("missing.ts")).toThrow(/missing\.ts is not a file/);
    expect(review("src/app.ts", 40)).toThrow(/has no line 40/);
    expect(() => github.addReview(fullName, 99, { login: "octocat", state: "APPROVED" })).toThrow(
      `No pull request #99 in ${fullName}`,
    );
  });
});
