import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runGit } from "../../../src/workspace/git";
import { git, isolateGitConfig, makeRepository, removeTempDirs } from "./gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

const SECRETS = {
  ANTHROPIC_API_KEY: "sk-ant-secret-key",
  GITHUB_TOKEN: "ghp_secretToken",
  AMELIA_API_TOKEN: "amelia-secret-token",
  AWS_ACCESS_KEY_ID: "AKIASECRET",
  AWS_SECRET_ACCESS_KEY: "aws-secret-access-key",
  AWS_SESSION_TOKEN: "aws-session-token",
  GIT_DIR: "/somewhere/else/.git",
};
afterEach(() => {
  for (const name of Object.keys(SECRETS)) delete process.env[name];
});

describe("git's child processes", () => {
  it("see a minimal environment: none of the runtime's keys, nothing pointing elsewhere", async () => {
    const repo = makeRepository();
    // A program the repository's configuration runs, as a filter or an fsmonitor could.
    git(repo, "config", "alias.environment", "!env");
    Object.assign(process.env, SECRETS);

    const output = await runGit(repo, ["environment"]);
    const seen = new Map(
      output
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(seen.get(name), name).not.toBe(value);
      expect(output).not.toContain(value);
    }
    expect([...seen.keys()].filter((name) => name.startsWith("AWS_"))).toEqual([]);
    // What git needs is there.
    // (git puts its own directory first.)
    expect(seen.get("PATH")?.endsWith(process.env.PATH as string)).toBe(true);
    expect(seen.get("GIT_CONFIG_GLOBAL")).toBe("/dev/null");
    expect(seen.get("GIT_TERMINAL_PROMPT")).toBe("0");
    // GIT_DIR did not redirect it: it ran in the repository asked for.
    expect((await runGit(repo, ["rev-parse", "--show-toplevel"])).trim()).toMatch(/amelia-repo-/);
  });
});
