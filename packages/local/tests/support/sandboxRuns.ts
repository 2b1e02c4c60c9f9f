import type { Sandbox, SandboxResult, SandboxRun } from "../../src/sandbox/Sandbox";

/** What a test script sees of the machine: the system's tools and a UTF-8 locale. */
export const TEST_ENV = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" };

/** Runs a script (no network, 10 s unless told) and keeps its whole output. */
export async function runScript(
  sandbox: Sandbox,
  command: string,
  run: Partial<SandboxRun> & Pick<SandboxRun, "directory">,
): Promise<{ result: SandboxResult; output: string }> {
  const chunks: Buffer[] = [];
  const result = await sandbox.run({
    command,
    env: TEST_ENV,
    timeoutMs: 10_000,
    network: false,
    onOutput: (chunk) => chunks.push(chunk),
    ...run,
  });
  return { result, output: Buffer.concat(chunks).toString("utf8") };
}
