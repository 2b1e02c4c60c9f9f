import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ProgramLauncher,
  ProgramLauncherStoppedError,
  type ProgramRun,
} from "../../../src/workspace/ProgramLauncher";

const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
const launcher = new ProgramLauncher(ENV);

function sh(script: string, overrides: Partial<ProgramRun> = {}) {
  return launcher.run({
    file: "sh",
    args: ["-c", script],
    cwd: "/",
    env: ENV,
    timeoutMs: 10_000,
    maxOutputBytes: 1024 * 1024,
    ...overrides,
  });
}

describe("the program launcher", () => {
  it("answers each run with its own output, whatever order they finish in", async () => {
    const [slow, fast] = await Promise.all([
      sh("sleep 0.2; echo slow; echo oops >&2"),
      sh("pwd; echo fast"),
    ]);
    expect(slow).toEqual({ stdout: "slow\n", stderr: "oops\n" });
    expect(fast).toEqual({ stdout: "/\nfast\n", stderr: "" });
  });

  it("reports an exit code, a missing program and a spawn in a missing directory as failures", async () => {
    expect(await sh("echo partial; echo why >&2; exit 3")).toEqual({
      stdout: "partial\n",
      stderr: "why\n",
      failure: 3,
    });
    expect((await sh("true", { file: "no-such-program", args: [] })).failure).toBe("ENOENT");
    expect((await sh("true", { cwd: "/no/such/directory" })).failure).toBe("ENOENT");
  });

  it("gives a program only the environment of its run", async () => {
    process.env.AMELIA_LAUNCHER_SECRET = "secret";
    try {
      const { stdout } = await sh("env", { env: { ...ENV, ONLY_THIS: "yes" } });
      expect(stdout).toContain("ONLY_THIS=yes");
      expect(stdout).not.toContain("AMELIA_LAUNCHER_SECRET");
    } finally {
      delete process.env.AMELIA_LAUNCHER_SECRET;
    }
  });

  it("ends a run that outlasts its time or writes too much", async () => {
    expect((await sh("sleep 5", { timeoutMs: 100 })).failure).toBe("SIGTERM");
    const flood = await sh("head -c 5000 /dev/zero", { maxOutputBytes: 1000 });
    expect(flood.failure).toBe("ERR_CHILD_PROCESS_STDIO_MAXBUFFER");
  });

  it("fails the runs in a launcher that dies, and starts a new one for the next", async () => {
    const waiting = sh("sleep 5");
    // The program's parent is the launcher itself.
    const killer = sh("kill -9 $PPID");
    await expect(waiting).rejects.toBeInstanceOf(ProgramLauncherStoppedError);
    await expect(killer).rejects.toBeInstanceOf(ProgramLauncherStoppedError);
    expect(await sh("echo again")).toEqual({ stdout: "again\n", stderr: "" });
  });

  it("does not keep the process that started it alive once idle", async () => {
    const module = fileURLToPath(
      new URL("../../../src/workspace/ProgramLauncher.ts", import.meta.url),
    );
    const script = `
      const { ProgramLauncher } = await import(${JSON.stringify(module)});
      const launcher = new ProgramLauncher({ PATH: process.env.PATH });
      const { stdout } = await launcher.run({ file: "echo", args: ["ran"], cwd: "/", env: {}, timeoutMs: 5000, maxOutputBytes: 100 });
      process.stdout.write(stdout);`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { timeout: 20_000 },
    );
    expect(stdout).toBe("ran\n");
  });
});
