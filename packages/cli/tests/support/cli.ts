import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** What `npx amelia` runs: the bin npm links into the root node_modules/.bin. */
export const AMELIA_BIN = path.join(ROOT, "node_modules/.bin/amelia");

/** Variables of the test process that would change how the CLI behaves if inherited. */
const CLEARED = ["AMELIA_API_URL", "AMELIA_API_TOKEN", "AMELIA_WS_URL", "FORCE_COLOR", "NO_COLOR"];

export interface CliOptions {
  env?: Record<string, string>;
  /** Default: the temporary directory, outside any git work tree. */
  cwd?: string;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `amelia` whose output is collected as it arrives. */
export class CliProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<CliResult>;
  private waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    const wake = () => this.waiters.forEach((w) => w());
    child.stdout!.on("data", (chunk: Buffer) => {
      this.stdout += chunk.toString("utf8");
      wake();
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
      wake();
    });
    this.exited = new Promise((resolve) =>
      child.once("close", (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr })),
    );
  }

  /** Waits until the output so far satisfies the predicate. */
  waitForOutput(predicate: (stdout: string, stderr: string) => boolean, timeoutMs = 15_000) {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate(this.stdout, this.stderr)) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`Timed out; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }
}

const running = new Set<ChildProcess>();

export function spawnCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const env = { ...process.env };
  for (const name of CLEARED) delete env[name];
  const child = spawn(AMELIA_BIN, args, {
    cwd: options.cwd ?? tmpdir(),
    env: { ...env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return new CliProcess(child);
}

/** Kills what a failed test left running (call it in afterEach). */
export function killRunningClis(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** Runs `amelia` to the end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).exited;
}
