import { stringify } from "yaml";
import type { ChecksConfig } from "./checksConfig";
import { RUNNER_SOURCE } from "./checksRunner";

/** Where the runner leaves results and logs in the build: the buildspec's artifacts. */
export const RESULTS_DIRECTORY = ".amelia-results";
/** Output kept of one command: the rest is counted, not stored. */
export const OUTPUT_CAP_BYTES = 1024 * 1024;

/** What the runner is told to run: some of the checks (the tools name a few), or a command. */
export interface ChecksPlan {
  setup: string[];
  checks: { name: string; run: string }[];
  timeoutSeconds: number;
  /** The setup asked network for these hosts (the sandbox grants it only if the operator allows). */
  setupNetwork: string[];
}

export function planOf(config: ChecksConfig, names?: readonly string[]): ChecksPlan {
  return {
    setup: config.setup,
    checks: names ? config.checks.filter((check) => names.includes(check.name)) : config.checks,
    timeoutSeconds: config.timeoutSeconds,
    setupNetwork: config.setupNetwork,
  };
}

/**
 * The CodeBuild buildspec (version 0.2) of a run: one function for the cloud and the local
 * runtime's CodeBuild. The plan travels in an environment variable, base64 JSON, so no command
 * text is ever parsed as YAML or shell by anything but bash in the build.
 */
export function buildspecFor(plan: ChecksPlan): string {
  const encoded = Buffer.from(
    JSON.stringify({
      setup: plan.setup,
      checks: plan.checks,
      timeoutMs: plan.timeoutSeconds * 1000,
      outputCapBytes: OUTPUT_CAP_BYTES,
    }),
  ).toString("base64");
  const runner = (mode: "setup" | "checks") => `node -e "$AMELIA_RUNNER" ${mode}`;
  return stringify({
    version: 0.2,
    env: {
      shell: "bash",
      variables: {
        AMELIA_CHECKS: encoded,
        AMELIA_RESULTS_DIR: RESULTS_DIRECTORY,
        AMELIA_RUNNER: RUNNER_SOURCE,
        ...(plan.setupNetwork.length > 0 && { AMELIA_SETUP_NETWORK: "true" }),
      },
    },
    phases: {
      ...(plan.setup.length > 0 && { install: { commands: [runner("setup")] } }),
      build: { commands: [runner("checks")] },
    },
    artifacts: { "base-directory": RESULTS_DIRECTORY, files: ["**/*"] },
  });
}
