import { spawn, type ChildProcess } from "node:child_process";

export interface ProgramRun {
  file: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface ProgramResult {
  stdout: string;
  stderr: string;
  /** Set when the program failed: its exit code, the signal that ended it, or a spawn error code. */
  failure?: number | string;
}

/** The launcher process stopped with runs in it (killed, or out of memory). */
export class ProgramLauncherStoppedError extends Error {
  override readonly name = "ProgramLauncherStoppedError";

  constructor(reason: string) {
    super(`The process that runs programs stopped: ${reason}`);
  }
}

/**
 * The launcher's own code, run with `node -e` so that it needs no file of its own next to a
 * bundle: it runs each program it is sent and answers with its output, in order of completion.
 */
const LAUNCHER_SOURCE = `
const { execFile } = require("node:child_process");
process.on("message", ({ id, file, args, cwd, env, timeoutMs, maxOutputBytes }) => {
  execFile(file, args, { cwd, env, encoding: "utf8", timeout: timeoutMs, maxBuffer: maxOutputBytes, windowsHide: true },
    (error, stdout, stderr) => {
      const failure = error ? (error.code ?? error.signal ?? "failed") : undefined;
      process.send({ id, stdout, stderr, failure });
    });
});
process.on("disconnect", () => process.exit(0));
`;

interface Pending {
  resolve: (result: ProgramResult) => void;
  reject: (error: Error) => void;
}

/**
 * Runs programs from a small Node process of its own. Starting a program forks the process that
 * starts it, and fork's cost grows with that process's memory: ~1 ms from a 50 MB process, ~10 ms
 * from a 300 MB runtime, during which the starting thread is blocked. Git runs dozens of times per
 * workflow, so it is started from here. The launcher gets no environment but what it is given for
 * each run, and ends with the process that started it.
 */
export class ProgramLauncher {
  private process: ChildProcess | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly launcherEnv: NodeJS.ProcessEnv) {}

  run(program: ProgramRun): Promise<ProgramResult> {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      const launcher = this.started();
      this.pending.set(id, { resolve, reject });
      launcher.ref();
      launcher.channel?.ref();
      launcher.send({ id, ...program }, (error) => {
        if (error) this.settle(id)?.reject(error);
      });
    });
  }

  private started(): ChildProcess {
    if (this.process) return this.process;
    const launcher = spawn(process.execPath, ["-e", LAUNCHER_SOURCE], {
      env: this.launcherEnv,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      serialization: "advanced",
      windowsHide: true,
    });
    launcher.on("message", ({ id, ...result }: ProgramResult & { id: number }) =>
      this.settle(id)?.resolve(result),
    );
    const stopped = (reason: string) => {
      if (this.process === launcher) this.process = undefined;
      for (const id of [...this.pending.keys()]) {
        this.settle(id)?.reject(new ProgramLauncherStoppedError(reason));
      }
    };
    launcher.once("error", (error) => stopped(error.message));
    launcher.once("exit", (code, signal) => stopped(signal ?? `exit code ${code}`));
    this.process = launcher;
    return launcher;
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    // An idle launcher keeps nothing alive: the process that started it may end.
    if (this.pending.size === 0 && this.process) {
      this.process.unref();
      this.process.channel?.unref();
    }
    return pending;
  }
}
