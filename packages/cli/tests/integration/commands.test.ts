import { mkdtemp, readFile, realpath } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import type { Workflow } from "../../../core/src/workflow/Workflow";
import { oneTo } from "../../../../tests/support/api";
import { createGitRepository, gitOutput } from "../../../../tests/support/git";
import { useTestRuntime } from "../../../../tests/support/runtime";
import { cancelAllActive, createAtPlanGate, ofType } from "../../../../tests/support/workflows";
import { AMELIA_BIN, runCli } from "../support/cli";

const fixture = useTestRuntime();
const env = () => ({ AMELIA_API_URL: fixture.runtime.url });
const amelia = (args: string[], options: { cwd?: string } = {}) =>
  runCli(args, { env: env(), ...options });

beforeEach(() => cancelAllActive(fixture.api));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The commands that talk to a server (`dev` runs one). */
const CLIENT_COMMANDS = [
  "start",
  "status",
  "diff",
  "approve",
  "reject",
  "budget",
  "cancel",
  "resume",
  "logs",
];

describe("npx amelia", () => {
  it("is the CLI's launcher, linked into the root node_modules/.bin by npm", async () => {
    expect(await realpath(AMELIA_BIN)).toBe(
      path.resolve(path.dirname(AMELIA_BIN), "../../packages/cli/bin/amelia.js"),
    );
  });

  it.each([...CLIENT_COMMANDS, "dev"])(
    "%s --help describes the command and exits 0",
    async (command) => {
      const { code, stdout } = await amelia([command, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: amelia ${command} `));
      if (command !== "dev") expect(stdout).toContain("--json");
    },
  );

  it("--help lists every command, the environment and the exit codes", async () => {
    const { code, stdout } = await amelia(["--help"]);
    expect(code).toBe(0);
    for (const command of CLIENT_COMMANDS) {
      expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
    expect(stdout).toContain("AMELIA_API_URL");
    expect(stdout).toContain("3 server unreachable");
  });

  it("loads no AWS SDK code, even for its largest command (start --follow)", async () => {
    const log = path.join(await mkdtemp(path.join(tmpdir(), "amelia-modules-")), "modules.txt");
    const preload = fileURLToPath(new URL("../support/moduleLog.mjs", import.meta.url));
    const { code } = await runCli(["start", "CLI-LEAN", "--no-repo", "--follow"], {
      env: { ...env(), NODE_OPTIONS: `--import=${preload}`, AMELIA_MODULE_LOG: log },
    });
    expect(code).toBe(0);
    const modules = (await readFile(log, "utf8")).split("\n");
    expect(modules.some((url) => url.endsWith("/packages/cli/src/EventFollower.ts"))).toBe(true);
    expect(modules.filter((url) => /@aws-sdk|@smithy|@aws-lambda-powertools/.test(url))).toEqual(
      [],
    );
  });
});

describe("the approve path", () => {
  it("start in a git work tree → status → approve → completed, on a branch of that repository", async () => {
    const repository = await createGitRepository();
    const started = await amelia(
      ["start", "CLI-1", "--title", "Greet users", "--description", "Show a greeting."],
      { cwd: path.join(repository) },
    );
    expect(started).toMatchObject({ code: 0 });
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.stderr).toContain(`amelia logs ${id} --follow`);

    const blocked = await fixture.api.waitForStatus(id, "blocked");
    // No --repo: the git work tree the command ran in.
    expect(blocked).toMatchObject({ issueId: "CLI-1", title: "Greet users", gate: "plan" });
    expect(blocked.repository).toBe(await realpath(repository));

    const table = await amelia(["status"]);
    expect(table.code).toBe(0);
    const row = table.stdout.split("\n").find((line) => line.startsWith(id));
    expect(row).toMatch(/CLI-1\s+blocked \(plan gate\)\s+plan_approval\s+\d+s ago\s+Greet users$/);

    const detail = await amelia(["status", id]);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain(`Status      blocked (plan gate)`);
    expect(detail.stdout).toContain(blocked.plan!.split("\n")[0]);
    expect(detail.stdout).toContain(`amelia approve ${id}`);

    const approved = await amelia(["approve", id]);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`^Approved ${id}: in_progress`));

    await fixture.api.waitForStatus(id, "completed");
    const final = await amelia(["status", id, "--json"]);
    expect(final.code).toBe(0);
    expect(JSON.parse(final.stdout)).toMatchObject({ id, status: "completed", stage: "done" });
    expect(gitOutput(repository, "branch", "--list", "amelia/CLI-1")).toContain("amelia/CLI-1");

    // Done: no longer active, still listed with --all.
    expect((await amelia(["status"])).stdout).not.toContain(id);
    const all = JSON.parse((await amelia(["status", "--all", "--json"])).stdout) as {
      workflows: Workflow[];
    };
    expect(all.workflows.find((w) => w.id === id)?.status).toBe("completed");
  });

  it("logs prints the whole history, each event once, in order", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "CLI-LOGS" });
    const events = await fixture.api.events(workflow.id);
    const text = await amelia(["logs", workflow.id]);
    expect(text.code).toBe(0);
    const firstLines = text.stdout.split("\n").filter((line) => /^\s+\d+ {2}\d\d:/.test(line));
    expect(firstLines.map((line) => Number(line.trim().split(" ")[0]))).toEqual(
      oneTo(events.length),
    );
    expect(firstLines.at(-1)).toContain("approval_required");

    const json = await amelia(["logs", workflow.id, "--json"]);
    expect(
      json.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual(events);
  });
});

describe("the reject path", () => {
  it("reject with feedback → the architect re-plans with it and the plan gate is back", async () => {
    const started = await amelia(["start", "CLI-2", "--no-repo", "--json"]);
    expect(started.code).toBe(0);
    const { id, repository } = JSON.parse(started.stdout) as Workflow;
    expect(repository).toBeUndefined();
    await fixture.api.waitForStatus(id, "blocked");

    const feedback = "Split the greeting into two steps";
    const rejected = await amelia(["reject", id, feedback, "--json"]);
    expect(rejected.code).toBe(0);
    expect(rejected.stderr).toBe("");
    expect(JSON.parse(rejected.stdout)).toMatchObject({ id });

    const replanned = await fixture.api.waitFor(
      id,
      (w) => w.status === "blocked" && w.iteration.plan === 2,
    );
    expect(replanned.gate).toBe("plan");
    const events = await fixture.api.events(id);
    expect(ofType(events, "approval_rejected").map((e) => e.data)).toEqual([
      { gate: "plan", feedback, by: { source: "api" } },
    ]);
  });

  it("cancel stops a workflow, with the reason in its log", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "CLI-CANCEL" });
    const cancelled = await amelia(["cancel", workflow.id, "--reason", "Not needed"]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`^Cancelled ${workflow.id}: cancelled`));
    const events = await fixture.api.events(workflow.id);
    expect(ofType(events, "workflow_cancelled").map((e) => e.data)).toEqual([
      { reason: "Not needed", by: { source: "api" } },
    ]);
  });
});

describe("errors", () => {
  it("an unknown id: the server's NOT_FOUND and message, exit 1", async () => {
    for (const args of [
      ["status", "nope"],
      ["approve", "nope"],
      ["logs", "nope"],
    ]) {
      const { code, stdout, stderr } = await amelia(args);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe("error NOT_FOUND: Workflow nope not found\n");
    }
  });

  it("approve when not blocked: INVALID_STATE, exit 1, nothing changes", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "CLI-STATE" });
    await fixture.api.cancel(workflow.id);
    const { code, stderr } = await amelia(["approve", workflow.id]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error INVALID_STATE: .*cancelled/);
    expect((await fixture.api.get(workflow.id)).body.status).toBe("cancelled");

    const json = await amelia(["approve", workflow.id, "--json"]);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe("");
    expect(JSON.parse(json.stderr)).toMatchObject({ code: "INVALID_STATE" });
  });

  it("reject without feedback (missing or blank) is a usage error, exit 2, and the workflow still waits", async () => {
    const workflow = await createAtPlanGate(fixture.api, { issueId: "CLI-FEEDBACK" });
    const missing = await amelia(["reject", workflow.id]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error USAGE_ERROR: Missing required argument 'feedback'");
    const blank = await amelia(["reject", workflow.id, "   "]);
    expect(blank.code).toBe(2);
    expect(blank.stderr).toContain("error USAGE_ERROR: The feedback is empty");
    const json = await amelia(["reject", workflow.id, "--json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: "USAGE_ERROR" });

    const after = (await fixture.api.get(workflow.id)).body;
    expect(after).toMatchObject({ status: "blocked", gate: "plan", iteration: { plan: 1 } });
  });

  it("bad input the server refuses: its VALIDATION_ERROR and message (details with --json), exit 1", async () => {
    const { code, stderr } = await amelia(["start", "not an issue id", "--no-repo"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^error VALIDATION_ERROR: Invalid \w+: issueId must be 1-128 characters/,
    );
    const json = await amelia(["start", "not an issue id", "--no-repo", "--json"]);
    expect(JSON.parse(json.stderr)).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "issueId" }],
    });
    expect((await fixture.api.request("GET", "/api/workflows/active")).body).toEqual({
      workflows: [],
    });
  });

  it("server down: exit 3, with a hint naming npm start and AMELIA_API_URL", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [["status"], ["approve", "some-id"], ["logs", "some-id", "--follow"]]) {
      const { code, stdout, stderr } = await runCli(args, { env: { AMELIA_API_URL: url } });
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `error CONNECTION_FAILED: Cannot reach the Amelia server at ${url}: ECONNREFUSED\n` +
          `Is \`npm start\` (or \`amelia dev\`) running? AMELIA_API_URL=${url}\n`,
      );
    }
  });

  it("usage errors exit 2 before anything is sent", async () => {
    const cases: Array<[string[], string]> = [
      [["frobnicate"], "Unknown command 'frobnicate'"],
      [["status", "--verbose"], "Unknown option '--verbose'"],
      [["status", "some-id", "--all"], "give an id or --all, not both"],
      [["approve"], "Missing required argument 'id'"],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await amelia(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain(message);
    }
    const badUrl = await runCli(["status"], { env: { AMELIA_API_URL: "localhost:8420" } });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain(
      'AMELIA_API_URL must be a URL starting with http:// or https://, not "localhost:8420"',
    );
  });
});
