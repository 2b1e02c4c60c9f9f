import { describe, expect, it } from "vitest";
import {
  isGitHubRepository,
  parseIssueReference,
  parseRepositoryName,
} from "../../../src/github/repositoryName";

describe("GitHub repository names", () => {
  it.each([
    ["octo/project", { owner: "octo", repo: "project" }],
    ["Octo-Org/my.repo_name-2", { owner: "Octo-Org", repo: "my.repo_name-2" }],
    ["a/.github", { owner: "a", repo: ".github" }],
  ])("reads %j", (name, expected) => {
    expect(parseRepositoryName(name)).toEqual(expected);
    expect(isGitHubRepository(name)).toBe(true);
  });

  it.each([
    ["/home/me/project"],
    ["./octo/project"],
    ["project"],
    ["octo/project/src"],
    ["-octo/project"],
    ["octo-/project"],
    ["octo/.."],
    ["octo/."],
    [`${"o".repeat(40)}/project`],
    [`octo/${"r".repeat(101)}`],
    ["octo/pro ject"],
    ["C:/project"],
  ])("treats %j as not a GitHub repository", (name) => {
    expect(parseRepositoryName(name)).toBeUndefined();
    expect(isGitHubRepository(name)).toBe(false);
  });
});

describe("GitHub issue references", () => {
  it("reads owner/name#number", () => {
    expect(parseIssueReference("Octo/Project#123")).toEqual({
      repository: { owner: "Octo", repo: "Project" },
      number: 123,
    });
  });

  it.each([
    ["PROJ-7"],
    ["octo/project"],
    ["octo/project#0"],
    ["octo/project#12a"],
    ["#12"],
    ["a#1"],
  ])("ignores %j", (issueId) => {
    expect(parseIssueReference(issueId)).toBeUndefined();
  });
});
