import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";

describe("the GitHub API address in the configuration", () => {
  it("defaults to api.github.com and takes another from AMELIA_GITHUB_API_URL", () => {
    expect(readConfig({}).githubApiUrl).toBe("https://api.github.com");
    expect(
      readConfig({ AMELIA_GITHUB_API_URL: "https://ghe.example.com/api/v3" }).githubApiUrl,
    ).toBe("https://ghe.example.com/api/v3");
  });

  it.each([["not a url"], ["ftp://example.com"]])("refuses %j at start-up", (value) => {
    expect(() => readConfig({ AMELIA_GITHUB_API_URL: value })).toThrow(
      /^Invalid configuration: AMELIA_GITHUB_API_URL: /,
    );
  });
});

describe("the rest of the configuration", () => {
  it("has defaults for a laptop", () => {
    expect(readConfig({})).toMatchObject({
      tableName: "amelia",
      eventBusName: "amelia",
      dataDir: ".amelia",
      maxActiveWorkflows: 5,
      maxReviewRounds: 3,
      stateMachineArn: undefined,
    });
  });

  it("reads the limits as positive integers and names a bad one", () => {
    expect(readConfig({ AMELIA_MAX_ACTIVE_WORKFLOWS: "12" }).maxActiveWorkflows).toBe(12);
    expect(() =>
      readConfig({ AMELIA_MAX_ACTIVE_WORKFLOWS: "0", AMELIA_MAX_REVIEW_ROUNDS: "two" }),
    ).toThrow(
      'Invalid configuration: AMELIA_MAX_ACTIVE_WORKFLOWS: expected a positive integer, got "0"; AMELIA_MAX_REVIEW_ROUNDS: expected a positive integer, got "two"',
    );
  });
});

describe("which repositories a deployment accepts", () => {
  it("accepts any by default and GitHub only where asked, refusing other values", () => {
    expect(readConfig({}).repositories).toBe("any");
    expect(readConfig({ AMELIA_REPOSITORIES: "github" }).repositories).toBe("github");
    expect(() => readConfig({ AMELIA_REPOSITORIES: "gitlab" })).toThrow(/AMELIA_REPOSITORIES/);
  });
});

describe("the GitHub and budget settings", () => {
  it("read the repositories in lower case, the label and the bot, and a default budget", () => {
    expect(
      readConfig({
        AMELIA_GITHUB_REPOSITORIES: "Octo-Org/App, octo-org/other  mona/site",
        AMELIA_GITHUB_LABEL: "agent",
        AMELIA_GITHUB_BOT_LOGIN: "amelia-bot",
        AMELIA_BUDGET_USD: "2.5",
      }),
    ).toMatchObject({
      github: {
        repositories: ["octo-org/app", "octo-org/other", "mona/site"],
        label: "agent",
        botLogin: "amelia-bot",
      },
      budgetUsd: 2.5,
    });
    expect(readConfig({})).toMatchObject({
      github: { repositories: [], label: "amelia", botLogin: undefined },
      budgetUsd: undefined,
    });
  });

  it.each([
    ["AMELIA_GITHUB_REPOSITORIES", "octo-org"],
    ["AMELIA_GITHUB_BOT_LOGIN", "-bad-"],
    ["AMELIA_BUDGET_USD", "-1"],
    ["AMELIA_BUDGET_USD", "1000000"],
    ["AMELIA_BUDGET_USD", "lots"],
  ])("refuses %s=%j at start-up, naming it", (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(new RegExp(`${name}: `));
  });
});
