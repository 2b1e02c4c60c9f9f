import type { SandboxTools, ToolOutcome } from "../agents/AgentDriver";
import type { SandboxFactory, StageContext } from "../agents/stages";
import { quoteUntrusted } from "../agents/prompts/untrustedData";
import type { NewEvent } from "../events/types";
import type { Workspace } from "../workspace/Workspace";
import { planOf, type ChecksPlan } from "./buildspec";
import { checkPassed, outputTail } from "./checkResults";
import { ChecksFileError } from "./ChecksFileError";
import { DEFAULT_TIMEOUT_SECONDS, type ResolvedChecks } from "./checksConfig";
import { resolveChecks } from "./resolveChecks";
import { checksRun, runIdFor, sandboxUnavailable, type VerifyDependencies } from "./verifyStage";

/** How much of each command's output a tool answer quotes: enough to see a failure. */
const TOOL_OUTPUT_BYTES = 4 * 1024;

export interface SandboxRunsOptions {
  workflowId: string;
  round: number;
  agent: "developer" | "reviewer";
  /** The repository's checks (undefined: it has none). */
  checks: ResolvedChecks | undefined;
  /** Runs this round may still make. */
  runsLeft: number;
  record(event: NewEvent): Promise<void>;
}

/**
 * The agents' sandbox tools: each run is a build of its own, on a snapshot of the workspace as it
 * is at that moment, told in the log before and after. A round has a budget of runs, so a loop
 * of failing attempts cannot spin for ever.
 */
export class SandboxRuns implements SandboxTools {
  private runsLeft: number;
  /** Whether the last run had a failing command: the reviewer cannot approve after one. */
  lastFailed = false;

  constructor(
    private readonly workspace: Workspace,
    private readonly deps: Pick<VerifyDependencies, "builds" | "options">,
    private readonly options: SandboxRunsOptions,
  ) {
    this.runsLeft = options.runsLeft;
  }

  runChecks(names?: readonly string[]): Promise<ToolOutcome> {
    const { checks } = this.options;
    if (!checks)
      return refuse("The repository has no checks (.amelia/checks.yml, or scripts to detect)");
    const known = checks.config.checks.map((check) => check.name);
    const unknown = (names ?? []).filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      return refuse(`No check named ${unknown.join(", ")}: the checks are ${known.join(", ")}`);
    }
    return this.run("run_checks", planOf(checks.config, names));
  }

  runCommand(command: string): Promise<ToolOutcome> {
    const config = this.options.checks?.config;
    return this.run("run_command", {
      setup: config?.setup ?? [],
      checks: [{ name: "command", run: command }],
      timeoutSeconds: config?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      setupNetwork: config?.setupNetwork ?? [],
    });
  }

  private async run(tool: "run_checks" | "run_command", plan: ChecksPlan): Promise<ToolOutcome> {
    const { workflowId, round, agent, record } = this.options;
    if (sandboxUnavailable(this.deps.options)) {
      return refuse(`There is no sandbox here (${this.deps.options.sandbox}): nothing can be run`);
    }
    if (this.runsLeft <= 0) {
      return refuse("This round's sandbox runs are used up: finish with what you know");
    }
    this.runsLeft--;
    const runId = runIdFor(workflowId, round, tool.replace("_", "-"));
    const what =
      tool === "run_checks" ? plan.checks.map((c) => c.name).join(", ") : plan.checks[0]!.run;
    await record({
      type: "agent_message",
      agent,
      level: "info",
      message: `${tool === "run_checks" ? "Running checks" : "Running"} ${what} in the sandbox (${this.runsLeft} runs left this round)`,
      data: { tool, round, runId },
    });
    const status = await this.deps.builds.runBuild(
      await checksRun(this.workspace, this.deps.builds, runId, plan),
    );
    const run = await this.deps.builds.results(runId);
    if (!run) {
      this.lastFailed = true;
      return refuse(`The sandbox build ended ${status} without results`);
    }
    const failed = run.results.filter((r) => !checkPassed(r));
    this.lastFailed = failed.length > 0;
    await record({
      type: "agent_message",
      agent,
      level: failed.length > 0 ? "warning" : "info",
      message:
        failed.length > 0
          ? `Sandbox run: ${failed.map((r) => r.name).join(", ")} failed`
          : "Sandbox run: everything passed",
      data: {
        tool,
        round,
        runId,
        results: run.results.map(({ name, exitCode, durationMs, timedOut }) => ({
          name,
          exitCode,
          durationMs,
          timedOut,
        })),
      },
    });
    const report = run.results.map((result) => {
      const outcome = result.timedOut ? "timed out" : `exit ${result.exitCode}`;
      const output = outputTail(
        run.logs.get(result.logFile) ?? new Uint8Array(),
        TOOL_OUTPUT_BYTES,
      );
      return `## ${result.name}: ${outcome} in ${(result.durationMs / 1000).toFixed(1)} s\n${quoteUntrusted("output", output)}`;
    });
    return { content: report.join("\n\n"), isError: false };
  }
}

/**
 * The sandbox tools of each round of an agent's stage: the repository's checks as the workspace
 * has them now, and the runs the round has left (counted in the log, across invocations).
 */
export function sandboxRunsFor(
  ctx: StageContext,
  agent: "developer" | "reviewer",
  deps: VerifyDependencies,
): SandboxFactory {
  return async (workspace, round) => {
    const checks = await resolveChecks(workspace).catch((error: unknown) => {
      // The agent broke the file: its runs say there are no checks until it is fixed.
      if (error instanceof ChecksFileError) return undefined;
      throw error;
    });
    const used = ctx.log.filter((event) => {
      if (event.type !== "agent_message" || event.agent !== agent) return false;
      const data = event.data as { tool?: string; round?: number; results?: unknown } | undefined;
      return data?.tool !== undefined && data.round === round && data.results === undefined;
    }).length;
    return new SandboxRuns(workspace, deps, {
      workflowId: ctx.workflow.id,
      round,
      agent,
      checks,
      runsLeft: Math.max(0, deps.maxSandboxRuns - used),
      record: ctx.record,
    });
  };
}

function refuse(content: string): Promise<ToolOutcome> {
  return Promise.resolve({ content, isError: true });
}
