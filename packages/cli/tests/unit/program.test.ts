import { describe, expect, it } from "vitest";
import { run } from "../../src/program";

/** Runs the CLI in-process against a server that must never be asked (nothing listens there). */
async function amelia(...argv: string[]) {
  const stdout = { text: "", write: (s: string) => (stdout.text += s) };
  const stderr = { text: "", write: (s: string) => (stderr.text += s) };
  const code = await run(argv, {
    env: { AMELIA_API_URL: "http://127.0.0.1:9" },
    cwd: process.cwd(),
    stdout,
    stderr,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("parsing the command line", () => {
  it("--version prints the package version and exits 0", async () => {
    const { code, stdout } = await amelia("--version");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("no command at all shows the help on stderr, exit 2", async () => {
    const { code, stdout, stderr } = await amelia();
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: amelia [options] [command]");
  });

  it.each([
    [["start"], "Missing required argument 'issueId'"],
    [["reject", "some-id"], "Missing required argument 'feedback'"],
    [["approve", "a", "b"], "Too many arguments for 'approve'"],
    [["logs", "some-id", "--folow"], "Unknown option '--folow'"],
    [["stat"], "Unknown command 'stat'"],
    [["status", "some-id", "--all"], "give an id or --all, not both"],
    [["reject", "some-id", " \n "], "The feedback is empty"],
    [["budget", "some-id"], "Missing required argument 'usd'"],
    [["budget", "some-id", "ten"], 'The budget "ten" must be a number of US dollars'],
    [["budget", "some-id", "0"], 'The budget "0" must be more than 0'],
    [["budget", "some-id", "-5"], 'The budget "-5" must be a number of US dollars'],
    [["start", "ISSUE-1", "--budget", "20000"], 'The budget "20000" must be at most 10000'],
    [["start", "ISSUE-1", "--budget"], "Option '--budget <usd>' argument missing"],
    [["diff"], "Missing required argument 'id'"],
    [["diff", "some-id", "--round", "0"], 'The round "0" must be a positive integer'],
    [["diff", "some-id", "--round", "latest"], 'The round "latest" must be a positive integer'],
    [["diff", "some-id", "--round"], "Option '--round <n>' argument missing"],
  ])("%o is a usage error, exit 2, with the reason", async (argv, reason) => {
    const { code, stdout, stderr } = await amelia(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error USAGE_ERROR: /);
    expect(stderr).toContain(reason);
  });

  it("a usage error with --json is JSON on stderr", async () => {
    const { code, stdout, stderr } = await amelia("start", "--json");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(JSON.parse(stderr)).toMatchObject({
      code: "USAGE_ERROR",
      error: "Missing required argument 'issueId'",
    });
  });
});
