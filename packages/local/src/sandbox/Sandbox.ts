import { BubblewrapSandbox } from "./BubblewrapSandbox";
import { findOnPath } from "./findOnPath";
import { HostSandbox } from "./HostSandbox";
import { SandboxUnavailableError, UNSAFE_HOST_HINT } from "./SandboxUnavailableError";

export { SandboxUnavailableError };

/**
 * The local OS sandbox that runs a build's bash script (the CodeBuild emulator's compute).
 *
 * What every run gets, whichever sandbox:
 * - exactly the environment given in `env`, plus `HOME`, which the sandbox points at an empty
 *   directory of its own for the run (a `HOME` in `env` is replaced, so the runtime's home cannot
 *   leak in by mistake);
 * - `directory` as its working directory;
 * - the whole process tree killed at `timeoutMs`, on `signal`'s abort, and when the script itself
 *   ends (nothing it started in the background outlives the run);
 * - stdout and stderr merged, handed to `onOutput` chunk by chunk and never kept (the caller caps
 *   what it stores).
 *
 * `bubblewrap` adds the isolation (see BubblewrapSandbox); `unsafe-host` has none of it and must
 * be flagged wherever its results are shown.
 */
export interface SandboxRun {
  /**
   * An absolute path: the run's own copy of the source, and the only place it may write. The
   * bubblewrap sandbox binds it at the same path, so paths given in `env` (CODEBUILD_SRC_DIR)
   * hold inside too; for a root runtime it hands the directory to uid 65534 (chown) first.
   */
  directory: string;
  /** A bash script, run by one bash instance. */
  command: string;
  /** The whole environment (nothing is inherited), except `HOME` (see above). */
  env: Record<string, string>;
  /** The limit for the whole run, in milliseconds. */
  timeoutMs: number;
  /** false: no network at all, loopback included; true: the host's network. */
  network: boolean;
  /** Aborting it kills the whole process tree at once. */
  signal?: AbortSignal;
  /** stdout and stderr, merged, as they come. */
  onOutput?: (chunk: Buffer) => void;
}

export interface SandboxResult {
  /** The script's exit code; null when it was killed (time limit, abort, a signal). */
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

/** The values of AMELIA_SANDBOX: unset (or "bubblewrap") for bubblewrap. */
export type SandboxKind = "bubblewrap" | "unsafe-host";

export interface Sandbox {
  readonly kind: SandboxKind;
  /**
   * Runs one script. Rejects with a SandboxUnavailableError when the sandbox cannot start on this
   * machine, and with an Error for a bad run (a relative or missing directory, a bad timeout).
   */
  run(run: SandboxRun): Promise<SandboxResult>;
}

export interface SandboxOptions {
  /** Where to look for bwrap and setpriv; default this process's PATH. */
  searchPath?: string;
}

/**
 * The sandbox for an AMELIA_SANDBOX setting. Throws a SandboxUnavailableError when bubblewrap is
 * not installed, and an Error for a setting that names no sandbox.
 */
export function sandboxFor(setting: string | undefined, options: SandboxOptions = {}): Sandbox {
  if (setting === "unsafe-host") return new HostSandbox();
  if (setting !== undefined && setting !== "" && setting !== "bubblewrap") {
    throw new Error(
      `AMELIA_SANDBOX=${setting} names no sandbox: leave it unset (or set it to bubblewrap) for ` +
        "bubblewrap, or set it to unsafe-host to run commands on this machine without isolation.",
    );
  }
  const searchPath = options.searchPath ?? process.env.PATH ?? "";
  const bwrap = findOnPath("bwrap", searchPath);
  if (!bwrap) {
    throw new SandboxUnavailableError(
      "Commands run in a bubblewrap sandbox, and bwrap is not on PATH: install it " +
        `(Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), ${UNSAFE_HOST_HINT}`,
    );
  }
  return new BubblewrapSandbox({ bwrap, searchPath });
}
