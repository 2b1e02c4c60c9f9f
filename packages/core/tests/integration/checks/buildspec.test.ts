import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  buildspecFor,
  OUTPUT_CAP_BYTES,
  planOf,
  RESULTS_DIRECTORY,
  type ChecksPlan,
} from "../../../src/checks/buildspec";
import { parseResults } from "../../../src/checks/checkResults";

const run = promisify(execFile);
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

interface Buildspec {
  env: { shell: string; variables: Record<string, string> };
  phases: Record<string, { commands: string[] }>;
  artifacts: { "base-directory": string; files: string[] };
}

/** Runs a buildspec's phases as CodeBuild does: in order, in bash, in the source directory. */
async function build(plan: ChecksPlan) {
  const spec = parse(buildspecFor(plan)) as Buildspec;
  const source = await mkdtemp(path.join(tmpdir(), "amelia-build-"));
  directories.push(source);
  for (const phase of ["install", "build"]) {
    for (const command of spec.phases[phase]?.commands ?? []) {
      await run("bash", ["-c", command], {
        cwd: source,
        env: { PATH: process.env.PATH, ...spec.env.variables },
        maxBuffer: 1024,
      });
    }
  }
  const results = path.join(source, spec.artifacts["base-directory"]);
  return {
    spec,
    results: parseResults(await readFile(path.join(results, "results.json"), "utf8")),
    log: (file: string) => readFile(path.join(results, file), "utf8"),
    size: async (file: string) => (await stat(path.join(results, file))).size,
  };
}

const plan = (overrides: Partial<ChecksPlan>): ChecksPlan => ({
  setup: [],
  checks: [],
  timeoutSeconds: 60,
  setupNetwork: [],
  ...overrides,
});

describe("the checks' buildspec, run as CodeBuild runs it", () => {
  it("is CodeBuild's version 0.2 in bash, setup in install, checks in build, results as artifacts", () => {
    const spec = parse(
      buildspecFor(plan({ setup: ["npm ci"], checks: [{ name: "t", run: "npm test" }] })),
    ) as Buildspec;
    expect(spec).toMatchObject({
      version: 0.2,
      env: { shell: "bash" },
      phases: {
        install: { commands: [expect.any(String)] },
        build: { commands: [expect.any(String)] },
      },
      artifacts: { "base-directory": RESULTS_DIRECTORY, files: ["**/*"] },
    });
    // Commands travel as data, never as buildspec or shell text of their own.
    expect(JSON.stringify(spec.phases)).not.toContain("npm test");
    expect(spec.env.variables).not.toHaveProperty("AMELIA_SETUP_NETWORK");
    expect(
      (
        parse(
          buildspecFor(plan({ setup: ["npm ci"], setupNetwork: ["registry.npmjs.org"] })),
        ) as Buildspec
      ).env.variables.AMELIA_SETUP_NETWORK,
    ).toBe("true");
  });

  it("records each check's exit code, duration and output, and always succeeds itself", async () => {
    const { results, log } = await build(
      plan({
        checks: [
          { name: "passes", run: "echo all good" },
          { name: "fails", run: "echo 'expected 2, got 3' >&2; exit 3" },
          { name: "quotes 'and' $HOME", run: "printf '%s' \"$((6 * 7))\"" },
        ],
      }),
    );
    expect(results.map(({ name, exitCode, timedOut }) => ({ name, exitCode, timedOut }))).toEqual([
      { name: "passes", exitCode: 0, timedOut: false },
      { name: "fails", exitCode: 3, timedOut: false },
      { name: "quotes 'and' $HOME", exitCode: 0, timedOut: false },
    ]);
    expect(await log(results[0]!.logFile)).toBe("all good\n");
    expect(await log(results[1]!.logFile)).toBe("expected 2, got 3\n");
    expect(await log(results[2]!.logFile)).toBe("42");
  });

  it("kills a check at its limit, with what it started, and goes on to the next", async () => {
    const started = Date.now();
    const { results } = await build(
      plan({
        timeoutSeconds: 1,
        checks: [
          { name: "hangs", run: "sleep 31.25 & sleep 31.25; wait" },
          { name: "after", run: "true" },
        ],
      }),
    );
    expect(results[0]).toMatchObject({ name: "hangs", timedOut: true });
    expect(results[1]).toMatchObject({ name: "after", exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
    // "[s]" keeps the pattern from matching this pgrep's own command line.
    const { stdout } = await run("bash", ["-c", "pgrep -f '[s]leep 31.25' || true"]);
    expect(stdout.trim()).toBe("");
  });

  it("keeps 1 MiB of a loud check's output and counts the rest", async () => {
    const { results, size } = await build(
      plan({ checks: [{ name: "loud", run: "head -c 3000000 /dev/zero | tr '\\0' x" }] }),
    );
    expect(results[0]).toMatchObject({ exitCode: 0, outputBytes: 3_000_000 });
    expect(await size(results[0]!.logFile)).toBe(OUTPUT_CAP_BYTES);
  });

  it("stops at a failing setup command and runs no check", async () => {
    const { results, log } = await build(
      plan({
        setup: ["echo preparing", "echo 'registry unreachable'; exit 7", "echo never"],
        checks: [{ name: "test", run: "echo ran" }],
      }),
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      name: "setup",
      exitCode: 7,
      command: "echo 'registry unreachable'; exit 7",
    });
    expect(await log(results[0]!.logFile)).toBe("registry unreachable\n");
  });

  it("runs only the checks asked for", () => {
    const config = {
      setup: ["npm ci"],
      checks: [
        { name: "a", run: "x" },
        { name: "b", run: "y" },
      ],
      timeoutSeconds: 120,
      setupNetwork: [],
    };
    expect(planOf(config, ["b"]).checks).toEqual([{ name: "b", run: "y" }]);
  });
});
