import { parseRepositoryName } from "./github/repositoryName";
import { MAX_BUDGET_USD } from "./definitions/limits";

/**
 * The environment, read without a schema library: every function reads it at start, and the
 * broadcaster's bundle stays small without zod.
 */
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

export interface AmeliaConfig {
  tableName: string;
  eventBusName: string;
  stateMachineArn: string | undefined;
  wsManagementEndpoint: string | undefined;
  dataDir: string;
  maxActiveWorkflows: number;
  maxReviewRounds: number;
  /** What a workflow may spend on models unless its create says (US dollars); absent: no limit. */
  budgetUsd: number | undefined;
  /** GitHub's REST API: api.github.com, a GitHub Enterprise Server, or a fake in tests. */
  githubApiUrl: string;
  /** Where GitHub's webhook deliveries may start and steer workflows. */
  github: GitHubSettings;
  /** `github` where there is no git binary (Lambda): local paths are refused. */
  repositories: "any" | "github";
  checks: {
    /** The CodeBuild project the checks run in, and the bucket of its sources and results. */
    project: string | undefined;
    bucket: string | undefined;
    /** Failing rounds of checks in a row before a person decides. */
    maxRounds: number;
    /** Sandbox runs (run_checks, run_command) an agent may make in one round. */
    maxSandboxRuns: number;
    /** What runs the commands: `codebuild` in the cloud; locally `bubblewrap` or `unsafe-host`. */
    sandbox: string;
  };
}

export interface GitHubSettings {
  /** The label that starts a workflow on an issue (compared without case, as GitHub does). */
  label: string;
  /** `owner/name`, lower case: the repositories whose deliveries Amelia acts on. */
  repositories: string[];
  /** Assigning an issue to this login starts a workflow; its comments are never commands. */
  botLogin: string | undefined;
}

/** GitHub's rules for a login: 1–39 letters, digits and inner single hyphens. */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** Reads the configuration from the environment; a bad value fails loudly at start-up. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AmeliaConfig {
  const problems: string[] = [];
  const text = (name: string) => env[name] || undefined;
  const positiveInt = (name: string, fallback: number) => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (Number.isInteger(value) && value > 0) return value;
    problems.push(`${name}: expected a positive integer, got "${raw}"`);
    return fallback;
  };
  const budget = (name: string) => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (Number.isFinite(value) && value > 0 && value <= MAX_BUDGET_USD) return value;
    problems.push(
      `${name}: expected US dollars, more than 0 and at most ${MAX_BUDGET_USD}, got "${raw}"`,
    );
    return undefined;
  };
  const httpUrl = (name: string, fallback: string) => {
    const raw = text(name) ?? fallback;
    if (URL.canParse(raw) && /^https?:$/.test(new URL(raw).protocol)) return raw;
    problems.push(`${name}: expected an http(s) URL, got "${raw}"`);
    return fallback;
  };
  const config: AmeliaConfig = {
    tableName: text("AMELIA_TABLE_NAME") ?? "amelia",
    eventBusName: text("AMELIA_EVENT_BUS_NAME") ?? "amelia",
    stateMachineArn: text("AMELIA_STATE_MACHINE_ARN"),
    wsManagementEndpoint: text("AMELIA_WS_MANAGEMENT_ENDPOINT"),
    dataDir: text("AMELIA_DATA_DIR") ?? ".amelia",
    maxActiveWorkflows: positiveInt("AMELIA_MAX_ACTIVE_WORKFLOWS", 5),
    maxReviewRounds: positiveInt("AMELIA_MAX_REVIEW_ROUNDS", 3),
    budgetUsd: budget("AMELIA_BUDGET_USD"),
    githubApiUrl: httpUrl("AMELIA_GITHUB_API_URL", DEFAULT_GITHUB_API_URL),
    github: {
      label: text("AMELIA_GITHUB_LABEL") ?? "amelia",
      repositories: (text("AMELIA_GITHUB_REPOSITORIES") ?? "")
        .split(/[\s,]+/)
        .filter((name) => name !== "")
        .map((name) => {
          if (!parseRepositoryName(name)) {
            problems.push(`AMELIA_GITHUB_REPOSITORIES: "${name}" is not owner/name`);
          }
          return name.toLowerCase();
        }),
      botLogin: text("AMELIA_GITHUB_BOT_LOGIN"),
    },
    repositories: text("AMELIA_REPOSITORIES") === "github" ? "github" : "any",
    checks: {
      project: text("AMELIA_CHECKS_PROJECT"),
      bucket: text("AMELIA_CHECKS_BUCKET"),
      maxRounds: positiveInt("AMELIA_MAX_CHECK_ROUNDS", 3),
      maxSandboxRuns: positiveInt("AMELIA_MAX_SANDBOX_RUNS", 20),
      sandbox: text("AMELIA_SANDBOX") ?? "bubblewrap",
    },
  };
  if (!["any", "github", undefined].includes(text("AMELIA_REPOSITORIES"))) {
    problems.push(`AMELIA_REPOSITORIES: expected "any" or "github"`);
  }
  if (config.github.label.length > 50) problems.push("AMELIA_GITHUB_LABEL: at most 50 characters");
  const { botLogin } = config.github;
  if (botLogin !== undefined && !GITHUB_LOGIN.test(botLogin.replace(/\[bot\]$/, ""))) {
    problems.push(`AMELIA_GITHUB_BOT_LOGIN: "${botLogin}" is not a GitHub login`);
  }
  if (config.tableName.length < 3) problems.push("AMELIA_TABLE_NAME: at least 3 characters");
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  return config;
}

export function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
