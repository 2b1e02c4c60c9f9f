import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sandboxFor } from "../../packages/local/src/sandbox/Sandbox";

const RUNS = 20;

/** (h) One no-op check (`true`) in the bubblewrap sandbox on a small repository, start to end. */
export async function benchSandboxStart(): Promise<void> {
  const repository = await mkdtemp(path.join(tmpdir(), "amelia-bench-sandbox-"));
  try {
    await mkdir(path.join(repository, "src"));
    await writeFile(path.join(repository, "package.json"), '{ "scripts": { "test": "true" } }\n');
    await writeFile(path.join(repository, "src/index.js"), "export const answer = 42;\n");
    const sandbox = sandboxFor(undefined);
    const run = () => {
      const started = performance.now();
      const env = { PATH: "/usr/bin:/bin", CI: "true" };
      const done = sandbox.run({
        directory: repository,
        command: "true",
        env,
        timeoutMs: 10_000,
        network: false,
      });
      return done.then(() => performance.now() - started);
    };
    const first = await run(); // includes the sandbox's one-time check that bwrap can start
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await run());
    samples.sort((a, b) => a - b);
    console.log(
      "\n(h) sandbox run of a no-op check on a small repository, bubblewrap (target < 1 s)",
    );
    console.log(
      `    first run ${first.toFixed(1)} ms   then ${RUNS} runs: p50 ${samples[RUNS / 2]!.toFixed(1)} ms   max ${samples[RUNS - 1]!.toFixed(1)} ms`,
    );
  } finally {
    await rm(repository, { recursive: true, force: true });
  }
}
