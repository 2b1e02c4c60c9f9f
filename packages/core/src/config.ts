import { z } from "zod";

const intFromEnv = (fallback: number) =>
  z.coerce.number().int().positive().optional().default(fallback);

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

const configSchema = z.object({
  AMELIA_TABLE_NAME: z.string().min(3).default("amelia"),
  AMELIA_EVENT_BUS_NAME: z.string().min(1).default("amelia"),
  AMELIA_STATE_MACHINE_ARN: z.string().optional(),
  AMELIA_WS_MANAGEMENT_ENDPOINT: z.string().optional(),
  AMELIA_DATA_DIR: z.string().default(".amelia"),
  AMELIA_MAX_ACTIVE_WORKFLOWS: intFromEnv(5),
  AMELIA_MAX_REVIEW_ROUNDS: intFromEnv(3),
  AMELIA_GITHUB_API_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_GITHUB_API_URL),
});

export interface AmeliaConfig {
  tableName: string;
  eventBusName: string;
  stateMachineArn: string | undefined;
  wsManagementEndpoint: string | undefined;
  dataDir: string;
  maxActiveWorkflows: number;
  maxReviewRounds: number;
  /** GitHub's REST API: api.github.com, a GitHub Enterprise Server, or a fake in tests. */
  githubApiUrl: string;
}

/** Reads the configuration from the environment; a bad value fails loudly at start-up. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AmeliaConfig {
  const parsed = configSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== "")),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  const c = parsed.data;
  return {
    tableName: c.AMELIA_TABLE_NAME,
    eventBusName: c.AMELIA_EVENT_BUS_NAME,
    stateMachineArn: c.AMELIA_STATE_MACHINE_ARN,
    wsManagementEndpoint: c.AMELIA_WS_MANAGEMENT_ENDPOINT,
    dataDir: c.AMELIA_DATA_DIR,
    maxActiveWorkflows: c.AMELIA_MAX_ACTIVE_WORKFLOWS,
    maxReviewRounds: c.AMELIA_MAX_REVIEW_ROUNDS,
    githubApiUrl: c.AMELIA_GITHUB_API_URL,
  };
}

export function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
