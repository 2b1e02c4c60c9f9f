import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { SandboxResult, SandboxRun } from "./Sandbox";

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Every sandbox runs scripts with the system's bash (in the bubblewrap sandbox too: /bin is bound). */
export const BASH = "/bin/bash";

/**
 * BASH's arguments to run `prelude` and then `command` in a second bash whose stderr is its
 * stdout, so that the output keeps its order. The command is an argument, never spliced into the
 * prelude, so it needs no quoting.
 */
export function bashArguments(prelude: string[], command: string): string[] {
  const script = [...prelude, `exec ${BASH} -c "$1" 2>&1`].join("\n");
  return ["-c", script, "amelia-sandbox", command];
}

/** The process that runs a sandboxed script, and how to start it. */
export interface ProcessLaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Throws a clear Error for a run no sandbox can start. */
export async function checkRun(run: SandboxRun): Promise<void> {
  if (!path.isAbsolute(run.directory)) {
    throw new Error(`A sandbox run's directory must be an absolute path, not "${run.directory}".`);
  }
  if (path.resolve(run.directory) === path.parse(run.directory).root) {
    throw new Error("A sandbox run's directory cannot be the file system's root.");
  }
  const found = await stat(run.directory).catch(() => null);
  if (!found?.isDirectory()) {
    throw new Error(`A sandbox run's directory must exist: ${run.directory} is no directory.`);
  }
  if (!(Number.isFinite(run.timeoutMs) && run.timeoutMs > 0 && run.timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new Error(
      `A sandbox run's timeoutMs must be between 1 and ${MAX_TIMEOUT_MS}, not ${run.timeoutMs}.`,
    );
  }
}

/**
 * Runs `launch` in a process group of its own, hands its output on chunk by chunk, and kills the
 * whole group with SIGKILL at the time limit, on abort, and as soon as the launched process exits
 * (so that background jobs go with it). A process that leaves the group (setsid) escapes this
 * kill; the bubblewrap sandbox's pid namespace catches those too.
 */
export function runProcessTree(
  launch: ProcessLaunch,
  run: Pick<SandboxRun, "timeoutMs" | "signal" | "onOutput">,
): Promise<SandboxResult> {
  if (run.signal?.aborted) {
    return Promise.resolve({ exitCode: null, timedOut: false, aborted: true, durationMs: 0 });
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(launch.file, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timedOut = false;
    let aborted = false;
    let outputError: unknown;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, run.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    run.signal?.addEventListener("abort", onAbort, { once: true });
    const forward = (chunk: Buffer) => {
      if (outputError !== undefined || !run.onOutput) return;
      try {
        run.onOutput(chunk);
      } catch (error) {
        // The caller's consumer failed: stop the run rather than lose output silently.
        outputError = error;
        killGroup();
      }
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.once("exit", killGroup);

    const finish = () => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
    };
    child.once("error", (error) => {
      finish();
      reject(error);
    });
    child.once("close", (exitCode) => {
      finish();
      if (outputError !== undefined) reject(outputError);
      else {
        const durationMs = Math.round(performance.now() - started);
        resolve({ exitCode, timedOut, aborted, durationMs });
      }
    });
  });
}
