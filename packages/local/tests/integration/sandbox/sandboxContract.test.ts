import { existsSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sandboxFor, type Sandbox } from "../../../src/sandbox/Sandbox";
import { eventually } from "../../support/eventually";
import { processesMentioning, sleepMarker } from "../../support/processes";
import { runScript, TEST_ENV } from "../../support/sandboxRuns";
import { tempDir } from "../../support/tempDir";

/** What every sandbox guarantees, the unsafe one included. */
describe.each([
  ["bubblewrap", sandboxFor(undefined)],
  ["unsafe-host", sandboxFor("unsafe-host")],
] satisfies [string, Sandbox][])("the %s sandbox", (kind, sandbox) => {
  let directory: ReturnType<typeof tempDir>;
  beforeEach(() => {
    directory = tempDir("sandbox-run");
  });
  afterEach(() => directory.remove());

  it("says which it is", () => {
    expect(sandbox.kind).toBe(kind);
  });

  it("runs in its directory with exactly the given environment and an empty HOME of its own", async () => {
    process.env.AMELIA_SANDBOX_TEST_SECRET = "runtime-secret-4711";
    try {
      const env = { ...TEST_ENV, CI: "true", HOME: "/the/runtime/home" };
      const { result, output } = await runScript(
        sandbox,
        'env; echo "cwd=$(pwd)"; echo "home=$(ls -A "$HOME" | wc -l)"; touch "$HOME/written"',
        { directory: directory.path, env },
      );
      expect(result.exitCode).toBe(0);
      expect(output).not.toContain("runtime-secret-4711");
      const variables = new Map(
        output
          .split("\n")
          .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      // PWD, SHLVL and _ are bash's own, set in every bash.
      expect([...variables.keys()].sort()).toEqual(
        ["CI", "HOME", "LANG", "PATH", "PWD", "SHLVL", "_", "cwd", "home"].sort(),
      );
      expect(variables.get("PATH")).toBe(TEST_ENV.PATH);
      expect(variables.get("HOME")).not.toBe("/the/runtime/home");
      expect(variables.get("cwd")).toBe(directory.path);
      expect(variables.get("home")).toBe("0");
    } finally {
      delete process.env.AMELIA_SANDBOX_TEST_SECRET;
    }
  });

  it("passes the exit code through and keeps stdout and stderr in one stream, in order", async () => {
    const { result, output } = await runScript(
      sandbox,
      "echo one; echo two >&2; echo three; exit 3",
      {
        directory: directory.path,
      },
    );
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, aborted: false });
    expect(output).toBe("one\ntwo\nthree\n");
  });

  it("kills the whole process tree at the time limit", async () => {
    const marker = sleepMarker();
    const { result } = await runScript(sandbox, `sleep ${marker} & sleep ${marker}; wait`, {
      directory: directory.path,
      timeoutMs: 500,
    });
    expect(result).toMatchObject({ exitCode: null, timedOut: true, aborted: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(500);
    expect(result.durationMs).toBeLessThan(2_000);
    expect(processesMentioning(marker)).toEqual([]);
  });

  it("kills the whole process tree within a second of an abort", async () => {
    const marker = sleepMarker();
    const abort = new AbortController();
    const running = runScript(sandbox, `sleep ${marker} & sleep ${marker}; wait`, {
      directory: directory.path,
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    await eventually(() => expect(processesMentioning(marker).length).toBeGreaterThanOrEqual(2));
    const abortedAt = Date.now();
    abort.abort();
    const { result } = await running;
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(result).toMatchObject({ exitCode: null, timedOut: false, aborted: true });
    expect(processesMentioning(marker)).toEqual([]);
  });

  it("starts nothing when the signal is aborted before the run", async () => {
    const { result } = await runScript(sandbox, "touch started", {
      directory: directory.path,
      signal: AbortSignal.abort(),
    });
    expect(result).toEqual({ exitCode: null, timedOut: false, aborted: true, durationMs: 0 });
    expect(existsSync(`${directory.path}/started`)).toBe(false);
  });

  it("ends the script's background jobs when the script ends", async () => {
    const marker = sleepMarker();
    const { result } = await runScript(sandbox, `sleep ${marker} & echo started`, {
      directory: directory.path,
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.durationMs).toBeLessThan(2_000);
    expect(processesMentioning(marker)).toEqual([]);
  });

  it("refuses a relative or missing directory and a time limit it cannot keep", async () => {
    const run = { command: "true", env: {}, network: false };
    await expect(sandbox.run({ ...run, directory: "work", timeoutMs: 1000 })).rejects.toThrow(
      'A sandbox run\'s directory must be an absolute path, not "work".',
    );
    await expect(
      sandbox.run({ ...run, directory: `${directory.path}/missing`, timeoutMs: 1000 }),
    ).rejects.toThrow("is no directory");
    await expect(sandbox.run({ ...run, directory: directory.path, timeoutMs: 0 })).rejects.toThrow(
      "timeoutMs must be between 1 and 2147483647, not 0",
    );
  });
});

describe("the unsafe-host sandbox's HOME", () => {
  it("is removed after the run", async () => {
    const directory = tempDir("sandbox-run");
    try {
      const { output } = await runScript(sandboxFor("unsafe-host"), 'echo "$HOME"', {
        directory: directory.path,
      });
      expect(output.trim()).not.toBe("");
      expect(existsSync(output.trim())).toBe(false);
    } finally {
      directory.remove();
    }
  });
});
