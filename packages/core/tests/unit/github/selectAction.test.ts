import { describe, expect, it } from "vitest";
import type { GitHubSettings } from "../../../src/config";
import { selectAction } from "../../../src/github/GitHubWebhooks";
import { statusMarker } from "../../../src/github/markers";
import {
  assignedIssue,
  issueComment,
  labeledIssue,
  reviewSubmitted,
  starCreated,
} from "../../../../../tests/support/githubWebhooks";

const settings: GitHubSettings = {
  label: "amelia",
  repositories: ["octo-org/app"],
  botLogin: "amelia-bot",
};
const issue = { repository: "Octo-Org/App", number: 7, title: "Dark mode", body: "- a toggle" };

describe("selectAction picks the deliveries Amelia acts on, from GitHub's own payloads", () => {
  it("starts a workflow on the configured label, whatever its case, on a listed repository", () => {
    const selection = selectAction(
      "issues",
      labeledIssue({ ...issue, label: "Amelia", sender: "mona" }),
      settings,
    );
    expect(selection).toEqual({
      action: {
        kind: "start",
        repository: "octo-org/app",
        number: 7,
        title: "Dark mode",
        body: "- a toggle",
        login: "mona",
      },
    });
  });

  it("starts one when the issue is assigned to the bot, and not to anyone else", () => {
    expect(
      selectAction(
        "issues",
        assignedIssue({ ...issue, assignee: "Amelia-Bot", sender: "mona" }),
        settings,
      ),
    ).toMatchObject({ action: { kind: "start", login: "mona" } });
    expect(
      selectAction(
        "issues",
        assignedIssue({ ...issue, assignee: "octocat", sender: "mona" }),
        settings,
      ),
    ).toHaveProperty("ignored");
    expect(
      selectAction("issues", assignedIssue({ ...issue, assignee: "amelia-bot", sender: "mona" }), {
        ...settings,
        botLogin: undefined,
      }),
    ).toHaveProperty("ignored");
  });

  it("ignores another label, another repository, and an event type it does not handle", () => {
    expect(
      selectAction("issues", labeledIssue({ ...issue, label: "bug", sender: "mona" }), settings),
    ).toHaveProperty("ignored");
    expect(
      selectAction(
        "issues",
        labeledIssue({ ...issue, repository: "octo-org/other", label: "amelia", sender: "mona" }),
        settings,
      ),
    ).toEqual({ ignored: "octo-org/other is not in AMELIA_GITHUB_REPOSITORIES" });
    expect(
      selectAction("star", starCreated({ repository: "octo-org/app", sender: "mona" }), settings),
    ).toEqual({
      ignored: "Amelia does not act on star events",
    });
  });

  it("reads a command from a person's comment, on an issue or a pull request", () => {
    expect(
      selectAction(
        "issue_comment",
        issueComment({
          repository: "octo-org/app",
          number: 7,
          body: "/amelia reject needs tests",
          sender: "mona",
        }),
        settings,
      ),
    ).toEqual({
      action: {
        kind: "command",
        repository: "octo-org/app",
        number: 7,
        command: { name: "reject", feedback: "needs tests" },
        onPullRequest: false,
        login: "mona",
      },
    });
    expect(
      selectAction(
        "issue_comment",
        issueComment({
          repository: "octo-org/app",
          number: 8,
          body: "/amelia revise x",
          sender: "mona",
          onPullRequest: true,
        }),
        settings,
      ),
    ).toMatchObject({ action: { onPullRequest: true } });
  });

  it("never acts on Amelia's own words, a bot's, or a comment that is not a command", () => {
    const own = `${statusMarker("0b7a6c7e-1111-2222-3333-444455556666")}\n/amelia approve`;
    for (const [body, sender] of [
      [own, "mona"],
      ["/amelia approve", "amelia-bot"],
      ["/amelia approve", { login: "dependabot[bot]", type: "Bot" as const }],
      ["Looks good to me", "mona"],
    ] as const) {
      expect(
        selectAction(
          "issue_comment",
          issueComment({ repository: "octo-org/app", number: 7, body, sender }),
          settings,
        ),
      ).toHaveProperty("ignored");
    }
  });

  it("refuses a signed payload without a repository as bad input", () => {
    expect(() => selectAction("issues", { action: "labeled" }, settings)).toThrow(
      /names no repository/,
    );
  });
});

describe("selectAction on reviews", () => {
  const review = {
    id: 80,
    node_id: "PRR_1",
    user: {
      login: "mona",
      id: 1,
      node_id: "U_1",
      avatar_url: "",
      gravatar_id: "",
      url: "",
      html_url: "",
      type: "User" as const,
      site_admin: false,
    },
    body: "Please rename it",
    commit_id: "a".repeat(40),
    submitted_at: "2026-12-02T06:00:00Z",
    state: "changes_requested" as const,
    html_url: "https://github.com/octo-org/app/pull/9#pullrequestreview-80",
    pull_request_url: "https://api.github.com/repos/octo-org/app/pulls/9",
    author_association: "COLLABORATOR" as const,
    _links: { html: { href: "" }, pull_request: { href: "" } },
  };
  const pullRequest = (body: string) => ({
    number: 9,
    htmlUrl: "https://github.com/octo-org/app/pull/9",
    body,
    headRef: "amelia/octo-org/app#7",
  });

  const selectReview = (body: string, state: typeof review.state | "approved" = review.state) =>
    selectAction(
      "pull_request_review",
      reviewSubmitted({
        repository: "octo-org/app",
        pullRequest: pullRequest(body),
        review: { ...review, state },
        sender: "mona",
      }),
      settings,
    );

  it("acts on changes requested on Amelia's pull request, and ignores other people's pull requests", () => {
    const amelias = `<!-- amelia:workflow 0b7a6c7e-1111-2222-3333-444455556666 -->\nAmelia's work`;
    expect(selectReview(amelias)).toMatchObject({
      action: { kind: "review", number: 9, reviewId: 80, text: "Please rename it", login: "mona" },
    });
    expect(selectReview("A person's change")).toEqual({
      ignored: "the pull request is not one Amelia opened",
    });
    expect(selectReview(amelias, "approved")).toHaveProperty("ignored");
  });
});
