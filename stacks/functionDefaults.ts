import type { Function, FunctionProps } from "sst/constructs";
import { AGENT_SETTING_NAMES, readAgentSettings } from "@amelia/core/agents/agentSettings";
import { readConfig } from "@amelia/core/config";
import { ownLogs } from "./logs";
import { accept } from "./nag";

/**
 * Every function: Node 22 on Graviton (cheaper per GB-s), an ESM bundle minified with the SDK
 * v3 clients it uses tree-shaken into it, so a function never depends on the runtime's SDK.
 */
export const FUNCTION_DEFAULTS = {
  runtime: "nodejs22.x",
  architecture: "arm_64",
  memorySize: 256,
  timeout: 10,
  nodejs: {
    format: "esm",
    minify: true,
    sourcemap: false,
    // Credential providers the SDK only imports on demand, when no credentials are in the
    // environment. A Lambda function always has its role's credentials there (so has `sst dev`),
    // and its runtime ships these packages anyway: leaving them out halves small bundles.
    esbuild: {
      external: [
        "@aws-sdk/credential-provider-ini",
        "@aws-sdk/credential-provider-process",
        "@aws-sdk/credential-provider-sso",
        "@aws-sdk/credential-provider-web-identity",
        "@aws-sdk/nested-clients",
        "@aws-sdk/token-providers",
      ],
    },
  },
  // X-Ray would need a `Resource: "*"` grant and bills per trace; logs carry the workflow id.
  tracing: "disabled",
  environment: {
    POWERTOOLS_SERVICE_NAME: "amelia",
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: "1",
    // Lambda has no git binary: the agents work on GitHub repositories only.
    AMELIA_REPOSITORIES: "github",
  },
} satisfies FunctionProps;

/** The functions' own settings (README, docs/agents.md) a deployer may give `sst deploy`. */
const DEPLOYED_SETTING_NAMES = [
  ...AGENT_SETTING_NAMES,
  "AMELIA_MAX_ACTIVE_WORKFLOWS",
  "AMELIA_MAX_REVIEW_ROUNDS",
  "AMELIA_MAX_SANDBOX_RUNS",
  "AMELIA_MAX_CHECK_ROUNDS",
  "AMELIA_BUDGET_USD",
  "AMELIA_GITHUB_API_URL",
  "AMELIA_GITHUB_LABEL",
  "AMELIA_GITHUB_REPOSITORIES",
  "AMELIA_GITHUB_BOT_LOGIN",
];

/**
 * The settings set in the environment of `sst deploy`, for every function's environment. A bad
 * value fails the deploy, with the functions' own message, instead of every function at start.
 */
export function deployedSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const name of DEPLOYED_SETTING_NAMES) {
    const value = env[name];
    if (value) settings[name] = value;
  }
  readConfig(settings);
  readAgentSettings(settings);
  return settings;
}

/** What every function gets unless it says otherwise: the defaults and the deployed settings. */
export function functionDefaults(env: NodeJS.ProcessEnv = process.env): FunctionProps {
  return {
    ...FUNCTION_DEFAULTS,
    environment: { ...FUNCTION_DEFAULTS.environment, ...deployedSettings(env) },
  };
}

/** How each kind of function is sized, on purpose. */
export const SIZES = {
  /** API handlers: one DynamoDB round trip or two; API Gateway gives up after 30 s. */
  http: { memorySize: 256, timeout: 10 },
  /** Checks a cached token; called before most requests, so it is kept small. */
  authorizer: { memorySize: 128, timeout: 5 },
  /** Posts to many connections at once: more memory buys more CPU and network. */
  broadcaster: { memorySize: 512, timeout: 60 },
  /** Waits on the model most of the time; diffing and file work need some memory. */
  agent: { memorySize: 1024, timeout: 900 },
  /** Gate, finish and the GitHub status comment: a few writes and calls. */
  step: { memorySize: 256, timeout: 30 },
} as const;

/**
 * What each of the app's functions gets besides its props: its own log group with the retention,
 * and the runtime finding reasoned (cdk-nag wants the newest Node line CDK knows, nodejs24.x).
 */
export function configureFunction<F extends Function>(fn: F): F {
  ownLogs(fn);
  accept(fn, [
    {
      id: "AwsSolutions-L1",
      reason:
        "nodejs22.x on purpose: the Node line SST v2's live-Lambda bridge (sst dev) runs, so dev and deploy match",
    },
  ]);
  return fn;
}
