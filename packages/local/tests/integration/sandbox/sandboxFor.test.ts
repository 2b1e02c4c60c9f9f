import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findOnPath } from "../../../src/sandbox/findOnPath";
import { sandboxFor, SandboxUnavailableError } from "../../../src/sandbox/Sandbox";
import { tempDir } from "../../support/tempDir";

const REAL_BWRAP = findOnPath("bwrap", process.env.PATH ?? "")!;

let bin: ReturnType<typeof tempDir>;
let directory: ReturnType<typeof tempDir>;
beforeEach(() => {
  bin = tempDir("sandbox-bin");
  directory = tempDir("sandbox-run");
});
afterEach(() => {
  bin.remove();
  directory.remove();
});

/** Puts an executable `bwrap` shell script in `bin`. */
function fakeBwrap(script: string): void {
  const file = path.join(bin.path, "bwrap");
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
}

describe("sandboxFor", () => {
  it("gives bubblewrap when AMELIA_SANDBOX is unset, empty or bubblewrap", () => {
    for (const setting of [undefined, "", "bubblewrap"]) {
      expect(sandboxFor(setting).kind).toBe("bubblewrap");
    }
  });

  it("gives the host for unsafe-host, which needs no bwrap", () => {
    expect(sandboxFor("unsafe-host", { searchPath: bin.path }).kind).toBe("unsafe-host");
  });

  it("refuses a setting that names no sandbox, saying which do", () => {
    expect(() => sandboxFor("docker")).toThrow(
      "AMELIA_SANDBOX=docker names no sandbox: leave it unset (or set it to bubblewrap) for " +
        "bubblewrap, or set it to unsafe-host to run commands on this machine without isolation.",
    );
  });

  it("says how to get a sandbox when bwrap is not on PATH", () => {
    const attempt = () => sandboxFor(undefined, { searchPath: `${bin.path}:/nowhere` });
    expect(attempt).toThrow(SandboxUnavailableError);
    expect(attempt).toThrow(
      /bwrap is not on PATH: install it \(Debian\/Ubuntu: apt-get install bubblewrap;/,
    );
    expect(attempt).toThrow(
      /set AMELIA_SANDBOX=unsafe-host to run commands on this machine without isolation\.$/,
    );
  });

  it("refuses runs with bwrap's own reason when bwrap cannot start a sandbox, and tries again on the next run", async () => {
    fakeBwrap('echo "bwrap: No permissions to create new namespace" >&2; exit 1');
    // bwrap is found first in the fake directory; setpriv (for a root runtime) in the system's.
    const sandbox = sandboxFor(undefined, { searchPath: `${bin.path}:/usr/bin:/bin` });
    const run = {
      directory: directory.path,
      command: "echo ran",
      env: {},
      timeoutMs: 5_000,
      network: false,
    };
    const refused = sandbox.run(run);
    await expect(refused).rejects.toThrow(SandboxUnavailableError);
    await expect(refused).rejects.toThrow(
      /cannot start a sandbox on this machine: bwrap: No permissions to create new namespace\. .*AMELIA_SANDBOX=unsafe-host/,
    );

    fakeBwrap(`exec ${REAL_BWRAP} "$@"`);
    let output = "";
    const result = await sandbox.run({ ...run, onOutput: (chunk) => (output += chunk) });
    expect(result.exitCode).toBe(0);
    expect(output).toBe("ran\n");
  });
});
