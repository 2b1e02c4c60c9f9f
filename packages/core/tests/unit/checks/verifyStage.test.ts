import { chmodSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { sandboxRunsFor } from "../../../src/checks/SandboxRuns";
import type { RunResults, SnapshotFile } from "../../../src/aws/CheckBuilds";
import { ChecksFileError } from "../../../src/checks/ChecksFileError";
import {
  prepareChecks,
  recordChecks,
  type VerifyDependencies,
} from "../../../src/checks/verifyStage";
import type { ChecksRun, RecordChecksInput } from "../../../src/definitions/stateMachine";
import { LocalGitWorkspaceProvider } from "../../../src/workspace/LocalGitWorkspaceProvider";
import { MemoryWorkflow } from "../agents/memoryWorkflow";
import {
  git,
  isolateGitConfig,
  makeRepository,
  removeTempDirs,
  tempDir,
  writeFiles,
} from "../workspace/gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

const CHECKS_FILE =
  "checks:\n  - name: test\n    run: npm test\n  - name: lint\n    run: npm run lint\n";

/** The S3 and CodeBuild side in memory: what was sent to builds, and the results they left. */
class MemoryBuilds {
  readonly sources = new Map<string, SnapshotFile[]>();
  readonly results = new Map<string, RunResults>();
  readonly api = {
    putSource: async (runId: string, files: readonly SnapshotFile[]) => {
      this.sources.set(runId, [...files]);
      return `bucket/sources/${runId}.zip`;
    },
    results: async (runId: string) => this.results.get(runId),
    runBuild: async (run: ChecksRun) => {
      this.built.push(run);
      this.onBuild?.(run);
      return "SUCCEEDED";
    },
  };
  readonly built: ChecksRun[] = [];
  /** What a build does when the tools run one: its results, say. */
  onBuild?: (run: ChecksRun) => void;

  /** The build of `run` ends with these exit codes per check, each printing its name. */
  finish(run: ChecksRun, outcomes: Record<string, number>): void {
    const names = Object.keys(outcomes);
    this.results.set(run.runId, {
      results: names.map((name, i) => ({
        name,
        command: `npm run ${name}`,
        exitCode: outcomes[name]!,
        durationMs: 1_200,
        timedOut: false,
        outputBytes: 20_000,
        logFile: `${i}.log`,
      })),
      logs: new Map(names.map((name, i) => [`${i}.log`, Buffer.from(`${name} `.repeat(4_000))])),
    });
  }
}

let builds: MemoryBuilds;
let logs: Map<string, Uint8Array>;
let deps: VerifyDependencies;
let repo: string;

beforeEach(() => {
  builds = new MemoryBuilds();
  logs = new Map();
  repo = makeRepository();
  deps = {
    workspaces: new LocalGitWorkspaceProvider(tempDir("amelia-data-")),
    builds: builds.api,
    checkLogs: {
      save: async (workflowId, runId, index, log) => {
        logs.set(`${runId}/${index}`, log);
      },
    },
    options: { maxCheckRounds: 2, sandbox: "bubblewrap" },
    maxSandboxRuns: 2,
  };
});

/** A workflow whose developer just finished round `round` on the repository. */
function afterDeveloperRound(run: MemoryWorkflow, round: number): void {
  run.append({
    type: "stage_started",
    agent: "developer",
    level: "info",
    message: "Developing",
    data: { stage: "developer", round },
  });
  run.append({
    type: "stage_completed",
    agent: "developer",
    level: "info",
    message: "Done",
    data: { stage: "developer" },
  });
}

/** The repository with its checks file committed. */
function commitChecks(repository: string, checks = CHECKS_FILE): string {
  writeFiles(repository, { ".amelia/checks.yml": checks });
  git(repository, "add", "-A");
  git(repository, "commit", "--quiet", "-m", "checks");
  return repository;
}

/** The workspace of a workflow of `workflowOn`, as its stages open it. */
function workspaceOf(run: MemoryWorkflow) {
  return deps.workspaces.open({
    workflowId: run.workflow.id,
    issueId: run.workflow.issueId,
    repository: run.workflow.repository!,
    branch: run.workflow.branch!,
  });
}

/** recordChecks for a run whose build ended as the test scripted it. */
function record(run: MemoryWorkflow, checks: ChecksRun, build: RecordChecksInput["build"] = {}) {
  return recordChecks(
    run.context(),
    { workflowId: run.workflow.id, runId: checks.runId, build },
    deps,
  );
}

/** Another developer round, verified: its checks end with these exit codes. */
async function nextRound(run: MemoryWorkflow, round: number, outcomes: Record<string, number>) {
  afterDeveloperRound(run, round);
  const checks = (await prepareChecks(run.context(), deps))!;
  builds.finish(checks, outcomes);
  return record(run, checks);
}

function workflowOn(repository: string, id = "wf-checks"): MemoryWorkflow {
  const run = new MemoryWorkflow(id, { issueId: "CHK-1", repository });
  afterDeveloperRound(run, 1);
  return run;
}

describe("the verify step", () => {
  it("sends the workspace as it is, uncommitted edits and executable scripts included, and says which checks run", async () => {
    writeFiles(repo, { "run.sh": "#!/bin/sh\ntrue\n" });
    chmodSync(join(repo, "run.sh"), 0o755);
    const run = workflowOn(commitChecks(repo));
    const workspace = await workspaceOf(run);
    await workspace.writeFile("src/new.ts", "export const x = 1;\n");

    const prepared = await prepareChecks(run.context(), deps);

    expect(prepared).toMatchObject({
      runId: expect.stringMatching(/^wf-checks-1-/),
    });
    const files = builds.sources.get(prepared!.runId)!;
    const sent = files.map((file) => file.path);
    expect(files.find((file) => file.path === "run.sh")?.executable).toBe(true);
    expect(files.find((file) => file.path === "README.md")?.executable).toBe(false);
    expect(sent).toEqual(expect.arrayContaining([".amelia/checks.yml", "README.md", "src/new.ts"]));
    expect(sent.some((file) => file.startsWith(".git/"))).toBe(false);
    expect(run.ofType("checks_started")[0]?.data).toEqual({
      round: 1,
      runId: prepared!.runId,
      checks: ["test", "lint"],
      source: "file",
      sandbox: "bubblewrap",
    });
    expect(run.workflow.stage).toBe("verify");
  });

  it("records each check, keeps its whole log, and sends failures back until the cap", async () => {
    const run = workflowOn(commitChecks(repo));

    const first = (await prepareChecks(run.context(), deps))!;
    builds.finish(first, { test: 1, lint: 0 });
    expect(await record(run, first)).toEqual({ passed: false, atCap: false });
    const [test, lint] = run.ofType("check_completed");
    expect(test?.data).toMatchObject({ name: "test", exitCode: 1, index: 0, round: 1 });
    expect(Buffer.byteLength(test!.data.output)).toBe(16 * 1024);
    expect(lint?.data).toMatchObject({ name: "lint", exitCode: 0 });
    expect(logs.get(`${first.runId}/0`)?.length).toBe(20_000);
    expect(run.workflow.checks).toEqual({
      round: 1,
      runId: first.runId,
      passed: false,
      results: [
        { name: "test", exitCode: 1, durationMs: 1_200, timedOut: false },
        { name: "lint", exitCode: 0, durationMs: 1_200, timedOut: false },
      ],
    });

    // A retry of the same task records nothing twice and answers the same.
    const events = run.events.length;
    expect(await record(run, first)).toEqual({ passed: false, atCap: false });
    expect(run.events).toHaveLength(events);

    expect(await nextRound(run, 2, { test: 1, lint: 0 })).toEqual({ passed: false, atCap: true });
    expect(await nextRound(run, 3, { test: 0, lint: 0 })).toEqual({ passed: true, atCap: false });
  });

  it("records a build that never ran the checks as a failed round", async () => {
    const run = workflowOn(commitChecks(repo));
    const prepared = (await prepareChecks(run.context(), deps))!;
    const build = {
      Error: "CodeBuild.AWSCodeBuildException",
      Cause: '{"BuildStatus":"TIMED_OUT"}',
    };

    expect(await record(run, prepared, build)).toEqual({ passed: false, atCap: false });
    expect(run.ofType("check_completed")[0]?.data).toMatchObject({
      name: "build",
      exitCode: -1,
      timedOut: true,
      output: '{"BuildStatus":"TIMED_OUT"}',
    });
  });

  it("detects checks when there is no file, and goes on unverified when there are none, saying so", async () => {
    writeFiles(repo, { "package.json": JSON.stringify({ scripts: { test: "node --test" } }) });
    git(repo, "add", "-A");
    git(repo, "commit", "--quiet", "-m", "package");
    const detected = workflowOn(repo);
    await prepareChecks(detected.context(), deps);
    expect(detected.ofType("checks_started")[0]?.data).toMatchObject({
      checks: ["test"],
      source: "detected",
    });

    const bare = workflowOn(makeRepository(), "wf-bare");
    expect(await prepareChecks(bare.context(), deps)).toBeNull();
    expect(bare.ofType("agent_message").at(-1)?.message).toMatch(/^No checks: .*unverified/);
  });

  it("fails on an invalid checks file, naming it", async () => {
    const bad = commitChecks(repo, "checks:\n  - name: test\n");
    await expect(prepareChecks(workflowOn(bad).context(), deps)).rejects.toBeInstanceOf(
      ChecksFileError,
    );
  });
});

describe("the agents' sandbox runs", () => {
  it("runs the checks asked for on the workspace as it is, tells the log, and keeps to the round's budget", async () => {
    const run = workflowOn(commitChecks(repo));
    const workspace = await workspaceOf(run);
    await workspace.writeFile("src/wip.ts", "export const wip = true;\n");
    builds.onBuild = (build) => builds.finish(build, { lint: 2 });
    const tools = (await sandboxRunsFor(run.context(), "developer", deps)(workspace, 2))!;

    const outcome = await tools.runChecks(["lint"]);

    expect(outcome.isError).toBe(false);
    expect(outcome.content).toMatch(/^## lint: exit 2 in 1\.2 s\n/);
    expect(outcome.content).toContain("lint lint");
    expect(tools.lastFailed).toBe(true);
    const [built] = builds.built;
    expect(builds.sources.get(built!.runId)!.map((f) => f.path)).toContain("src/wip.ts");
    expect(parse(built!.buildspec)).toMatchObject({ phases: { build: expect.anything() } });
    const told = run.ofType("agent_message").slice(-2);
    expect(told.map((e) => e.data)).toEqual([
      { tool: "run_checks", round: 2, runId: built!.runId },
      {
        tool: "run_checks",
        round: 2,
        runId: built!.runId,
        results: [{ name: "lint", exitCode: 2, durationMs: 1_200, timedOut: false }],
      },
    ]);

    expect((await tools.runChecks(["nope"])).content).toBe(
      "No check named nope: the checks are test, lint",
    );
    await tools.runCommand!("npm test -- src/wip.ts");
    // The round's two runs are used, counted from the log by the next invocation too.
    const next = (await sandboxRunsFor(run.context(), "developer", deps)(workspace, 2))!;
    expect(await next.runChecks()).toEqual({
      content: "This round's sandbox runs are used up: finish with what you know",
      isError: true,
    });
    expect(builds.built).toHaveLength(2);
  });

  it("says there is nothing to run where the machine has no sandbox", async () => {
    const run = workflowOn(repo);
    const workspace = await workspaceOf(run);
    const unavailable = {
      ...deps,
      options: { ...deps.options, sandbox: "unavailable: bwrap is missing" },
    };
    const tools = (await sandboxRunsFor(run.context(), "developer", unavailable)(workspace, 1))!;
    expect(await tools.runCommand!("ls")).toEqual({
      content: "There is no sandbox here (unavailable: bwrap is missing): nothing can be run",
      isError: true,
    });
    expect(builds.built).toEqual([]);
  });
});

describe("a snapshot", () => {
  it("zips as the build unpacks it", async () => {
    const { zipSync } = await import("fflate");
    const files = { "a.txt": Buffer.from("é"), "dir/b.bin": Buffer.from([0, 1, 2]) };
    const unpacked = unzipSync(zipSync(files));
    expect(Buffer.from(unpacked["a.txt"]!).toString()).toBe("é");
    expect([...unpacked["dir/b.bin"]!]).toEqual([0, 1, 2]);
  });
});
