import { randomUUID } from "node:crypto";
import type { StageContext } from "../agents/stages";
import { openWorkspace } from "../agents/stages";
import type { RunResults, SnapshotFile } from "../aws/CheckBuilds";
import type { ChecksOutcome, ChecksRun, RecordChecksInput } from "../definitions/stateMachine";
import { InvalidStateError } from "../errors";
import type { WorkflowEvent } from "../events/types";
import type { Workspace, WorkspaceProvider } from "../workspace/Workspace";
import { buildspecFor, planOf, RESULTS_DIRECTORY, type ChecksPlan } from "./buildspec";
import { checkPassed, outputTail, type CheckResult } from "./checkResults";
import { resolveChecks } from "./resolveChecks";

/** A workspace snapshot larger than this is not sent to a build. */
const MAX_SNAPSHOT_BYTES = 200 * 1024 * 1024;

export interface VerifyOptions {
  /** Failing rounds of checks in a row before a person decides at the review gate. */
  maxCheckRounds: number;
  /**
   * How the builds run commands: reported in every `checks_started` (`unsafe-host` is flagged);
   * `unavailable: <why>` where the machine has no sandbox, and no command runs.
   */
  sandbox: string;
}

export interface VerifyDependencies {
  workspaces: WorkspaceProvider;
  builds: {
    putSource(runId: string, files: readonly SnapshotFile[]): Promise<string>;
    results(runId: string): Promise<RunResults | undefined>;
    /** Runs a build and waits for its end (the agents' tools; the state machine runs its own). */
    runBuild(run: ChecksRun): Promise<string>;
  };
  checkLogs: {
    save(workflowId: string, runId: string, index: number, log: Uint8Array): Promise<void>;
  };
  options: VerifyOptions;
  /** Sandbox runs an agent may make in one round. */
  maxSandboxRuns: number;
}

/**
 * The verify step's first half: the round's checks, and its workspace as the build's source.
 * Null when the repository has none (said in the log); a ChecksFileError when its file is bad.
 */
export async function prepareChecks(
  ctx: StageContext,
  deps: VerifyDependencies,
): Promise<ChecksRun | null> {
  const { workflow } = ctx;
  const round = workflow.iteration.developer ?? workflow.iteration.review + 1;
  const workspace = await openWorkspace(workflow, deps.workspaces);
  const resolved = await resolveChecks(workspace);
  if (!resolved) {
    await ctx.record({
      type: "agent_message",
      agent: "system",
      level: "warning",
      message: `No checks: the repository has no .amelia/checks.yml and none were found; round ${round} goes to review unverified`,
      data: { round, checks: "none" },
    });
    return null;
  }
  if (sandboxUnavailable(deps.options)) {
    await ctx.record({
      type: "agent_message",
      agent: "system",
      level: "warning",
      message: `The checks were not run: no sandbox on this machine (${deps.options.sandbox.replace(/^unavailable:?\s*/, "")}); round ${round} goes to review unverified`,
      data: { round, checks: "no sandbox" },
    });
    return null;
  }
  const plan = planOf(resolved.config);
  const run = await checksRun(workspace, deps.builds, runIdFor(workflow.id, round), plan);
  const { runId } = run;
  const names = plan.checks.map((check) => check.name);
  await ctx.record({
    type: "checks_started",
    agent: "system",
    level: deps.options.sandbox === "unsafe-host" ? "warning" : "info",
    message:
      `Checking round ${round}: ${names.join(", ")}` +
      (resolved.source === "detected"
        ? " (detected: the repository has no .amelia/checks.yml)"
        : "") +
      (deps.options.sandbox === "unsafe-host" ? " — on the host, NOT in a sandbox" : ""),
    data: { round, runId, checks: names, source: resolved.source, sandbox: deps.options.sandbox },
  });
  return run;
}

/** A run's id: the workflow's, its round's, and `kind` for the agents' own runs; unique. */
export function runIdFor(workflowId: string, round: number, kind?: string): string {
  return [workflowId, round, ...(kind ? [kind] : []), randomUUID().slice(0, 8)].join("-");
}

/** The workspace as it is now put as the run's source, and what its build is given. */
export async function checksRun(
  workspace: Workspace,
  builds: VerifyDependencies["builds"],
  runId: string,
  plan: ChecksPlan,
): Promise<ChecksRun> {
  const sourceLocation = await builds.putSource(runId, await snapshotOf(workspace));
  return { runId, sourceLocation, buildspec: buildspecFor(plan) };
}

/**
 * The verify step's second half: each check's result, its whole log kept, then the round's
 * outcome. Run again for the same run (a retry), it records nothing twice and answers the same.
 */
export async function recordChecks(
  ctx: StageContext,
  input: RecordChecksInput,
  deps: VerifyDependencies,
): Promise<ChecksOutcome> {
  const { workflow, log } = ctx;
  const { runId } = input;
  const done = log.findLast((e) => e.type === "checks_completed" && e.data.runId === runId);
  if (done?.type === "checks_completed") {
    return outcomeOf(failingRoundsIn(log), deps.options.maxCheckRounds);
  }
  const started = log.findLast((e) => e.type === "checks_started" && e.data.runId === runId);
  if (started?.type !== "checks_started") {
    throw new InvalidStateError(`Workflow ${workflow.id} started no checks run ${runId}`);
  }
  const { round } = started.data;
  const recorded = new Set(
    log.flatMap((e) =>
      e.type === "check_completed" && e.data.runId === runId ? [e.data.index] : [],
    ),
  );
  const run = input.build.Error === undefined ? await deps.builds.results(runId) : undefined;
  const results = run?.results ?? [buildFailure(input)];
  for (const [index, result] of results.entries()) {
    if (recorded.has(index)) continue;
    const output = run?.logs.get(result.logFile) ?? Buffer.from(input.build.Cause ?? "");
    await deps.checkLogs.save(workflow.id, runId, index, output);
    await ctx.record({
      type: "check_completed",
      agent: "system",
      level: checkPassed(result) ? "info" : "warning",
      message: `Check ${result.name}: ${describe(result)}`,
      data: {
        round,
        runId,
        index,
        name: result.name,
        command: result.command,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        timedOut: result.timedOut,
        output: outputTail(output),
      },
    });
  }
  const passed = results.every(checkPassed);
  const summary = results.map(({ name, exitCode, durationMs, timedOut }) => ({
    name,
    exitCode,
    durationMs,
    timedOut,
  }));
  const failing = summary.filter((r) => !checkPassed(r)).map((r) => r.name);
  await ctx.record({
    type: "checks_completed",
    agent: "system",
    level: passed ? "info" : "warning",
    message: passed
      ? `Round ${round}: every check passed`
      : `Round ${round}: ${failing.join(", ")} failed`,
    data: { round, runId, passed, results: summary },
  });
  const failingRounds = passed ? 0 : failingRoundsIn(log) + 1;
  return outcomeOf(failingRounds, deps.options.maxCheckRounds);
}

/**
 * The failing rounds of checks in a row at the end of the log: a pass, a review or a person's
 * decision starts the count again.
 */
function failingRoundsIn(log: readonly WorkflowEvent[]): number {
  let failingRounds = 0;
  for (let index = log.length - 1; index >= 0; index--) {
    const event = log[index]!;
    if (event.type === "checks_completed" && event.data.passed) break;
    if (event.type === "review_completed" || event.type === "approval_rejected") break;
    if (event.type === "checks_completed") failingRounds++;
  }
  return failingRounds;
}

/** The newest checks passed when no round failed since; failing rounds run out at the cap. */
function outcomeOf(failingRounds: number, maxCheckRounds: number): ChecksOutcome {
  const passed = failingRounds === 0;
  return { passed, atCap: !passed && failingRounds >= maxCheckRounds };
}

/** `unavailable: <why>`: the machine has no sandbox, and no command may run. */
export function sandboxUnavailable(options: VerifyOptions): boolean {
  return options.sandbox.startsWith("unavailable");
}

/** A build that never ran the checks to the end (it could not start, or timed out as a whole). */
function buildFailure(input: RecordChecksInput): CheckResult {
  const timedOut = (input.build.Cause ?? "").includes("TIMED_OUT");
  return {
    name: "build",
    command: "(the checks' build)",
    exitCode: -1,
    durationMs: 0,
    timedOut,
    outputBytes: 0,
    logFile: "build.log",
  };
}

function describe(result: CheckResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (result.timedOut) return `timed out after ${seconds} s`;
  return result.exitCode === 0
    ? `passed in ${seconds} s`
    : `failed (exit ${result.exitCode}) in ${seconds} s`;
}

/** Every file of the workspace as it is now, uncommitted edits included. */
async function snapshotOf(workspace: Workspace): Promise<SnapshotFile[]> {
  const files: SnapshotFile[] = [];
  let total = 0;
  for (const path of await workspace.listFiles()) {
    if (path.startsWith(`${RESULTS_DIRECTORY}/`)) continue;
    // One read: the file whole, or enough of it to know the snapshot is over its limit.
    const { bytes, size, executable } = await workspace.readBytes(
      path,
      0,
      MAX_SNAPSHOT_BYTES - total + 1,
    );
    total += size;
    if (total > MAX_SNAPSHOT_BYTES) {
      throw new InvalidStateError(
        `The workspace is over ${MAX_SNAPSHOT_BYTES} bytes: too large to send to the checks`,
      );
    }
    files.push({ path, bytes, executable });
  }
  return files;
}
