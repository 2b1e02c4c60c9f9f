import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface DevOptions {
  port?: string;
  dataDir?: string;
}

/**
 * `amelia dev`: the local runtime of `npm start` (packages/local/src/main.ts through tsx) in a
 * child process with this terminal, forwarding signals; resolves with the runtime's exit code.
 */
export function dev(options: DevOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const localPackage = path.dirname(require.resolve("@amelia/local/package.json"));
  const tsxLoader = pathToFileURL(require.resolve("tsx")).href;
  const child = spawn(
    process.execPath,
    ["--import", tsxLoader, path.join(localPackage, "src/main.ts")],
    {
      stdio: "inherit",
      env: {
        ...env,
        // The repository's tsconfig, as `npm start` at its root uses, wherever this runs from.
        TSX_TSCONFIG_PATH: path.resolve(localPackage, "../../tsconfig.json"),
        ...(options.port !== undefined && { AMELIA_PORT: options.port }),
        ...(options.dataDir !== undefined && { AMELIA_DATA_DIR: options.dataDir }),
      },
    },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      for (const name of FORWARDED_SIGNALS) process.off(name, forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
