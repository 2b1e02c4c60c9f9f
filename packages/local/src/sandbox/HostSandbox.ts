import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BASH, bashArguments, checkRun, runProcessTree } from "./processTree";
import type { Sandbox, SandboxResult, SandboxRun } from "./Sandbox";

/**
 * AMELIA_SANDBOX=unsafe-host: the script runs on this machine as the runtime's user, with the
 * network, the file system and no process or memory limits. What it keeps: the clean environment
 * (with a HOME of its own, removed afterwards), the time limit and the abort, which kill the
 * script's process group. Callers flag every result of it.
 */
export class HostSandbox implements Sandbox {
  readonly kind = "unsafe-host";

  async run(run: SandboxRun): Promise<SandboxResult> {
    await checkRun(run);
    const home = await mkdtemp(path.join(tmpdir(), "amelia-sandbox-home-"));
    try {
      const env = { ...run.env, HOME: home };
      const launch = { file: BASH, args: bashArguments([], run.command), env, cwd: run.directory };
      return await runProcessTree(launch, run);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
}
