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
