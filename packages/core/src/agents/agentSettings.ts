import * as z from "zod";
import { priceTable, priceTableSchema, type PriceTable } from "../pricing";
import { parseBedrockModel } from "./bedrock/modelIds";

const intFromEnv = (fallback: number) =>
  z.coerce.number().int().positive().optional().default(fallback);
const countFromEnv = (fallback: number) =>
  z.coerce.number().int().nonnegative().optional().default(fallback);
const booleanFromEnv = (fallback: boolean) =>
  z
    .enum(["true", "false"])
    .optional()
    .transform((value) => (value === undefined ? fallback : value === "true"));
const jsonFromEnv = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "is not valid JSON" });
      return z.NEVER;
    }
  })
  .pipe(priceTableSchema.optional());

/**
 * The model every agent uses unless configured otherwise: current (the SDK's model list and
 * deprecation table, see docs/agents.md), and fit for a tool loop at a moderate price.
 */
export const DEFAULT_AGENT_MODEL = "claude-sonnet-5-5";

/**
 * The same model on Amazon Bedrock, through its global cross-region inference profile: the id
 * Anthropic's Bedrock SDK gives as its example, callable from every region that offers Claude.
 */
export const DEFAULT_BEDROCK_MODEL = "global.anthropic.claude-sonnet-5-5";

/** Where the agents' model calls go (docs/agents.md). */
const LLM_PROVIDERS = ["anthropic", "bedrock"] as const;
type LlmProvider = (typeof LLM_PROVIDERS)[number];

const bedrockModel = z.string().refine((id) => parseBedrockModel(id) !== undefined, {
  message:
    "expected the Bedrock id of a Claude model or inference profile, " +
    "such as us.anthropic.claude-sonnet-4-5-20250929-v1:0",
});

const settingsSchema = z.object({
  AMELIA_LLM_PROVIDER: z.enum(LLM_PROVIDERS).default("anthropic"),
  AMELIA_ARCHITECT_MODEL: z.string().min(1).default(DEFAULT_AGENT_MODEL),
  AMELIA_DEVELOPER_MODEL: z.string().min(1).default(DEFAULT_AGENT_MODEL),
  AMELIA_REVIEWER_MODEL: z.string().min(1).default(DEFAULT_AGENT_MODEL),
  AMELIA_BEDROCK_MODEL: bedrockModel.default(DEFAULT_BEDROCK_MODEL),
  AMELIA_BEDROCK_ARCHITECT_MODEL: bedrockModel.optional(),
  AMELIA_BEDROCK_DEVELOPER_MODEL: bedrockModel.optional(),
  AMELIA_BEDROCK_REVIEWER_MODEL: bedrockModel.optional(),
  AMELIA_MAX_TOKENS: intFromEnv(32_000),
  AMELIA_ANTHROPIC_STREAMING: booleanFromEnv(true),
  AMELIA_AGENT_MAX_TURNS: intFromEnv(25),
  AMELIA_DEVELOPER_TURNS_PER_INVOCATION: intFromEnv(20),
  AMELIA_DEVELOPER_MAX_TURNS: intFromEnv(200),
  AMELIA_LLM_MAX_RETRIES: countFromEnv(4),
  AMELIA_LLM_RETRY_BASE_MS: intFromEnv(1_000),
  AMELIA_LLM_RETRY_MAX_MS: intFromEnv(30_000),
  AMELIA_LLM_TIMEOUT_MS: intFromEnv(600_000),
  AMELIA_LLM_BREAKER_THRESHOLD: intFromEnv(5),
  AMELIA_LLM_BREAKER_COOLDOWN_MS: intFromEnv(60_000),
  AMELIA_MODEL_PRICES: jsonFromEnv,
  AMELIA_ALLOW_WORKFLOW_EDITS: booleanFromEnv(false),
});

/** The names of the agents' settings in the environment. */
export const AGENT_SETTING_NAMES = Object.keys(settingsSchema.shape);

/** How the Claude agents call the API and how far they may go (see docs/agents.md). */
export interface AgentSettings {
  /** `anthropic`: Anthropic's API when a key is set, else the demo model; `bedrock`: Amazon Bedrock. */
  provider: LlmProvider;
  /** The model each agent calls, as the provider names it. */
  models: { architect: string; developer: string; reviewer: string };
  /** Output limit of one model call (thinking included). */
  maxTokens: number;
  streaming: boolean;
  /** Model turns the architect and the reviewer may take in one stage. */
  maxTurns: number;
  /** Model turns the developer takes in one Lambda invocation before it saves and hands back. */
  developerTurnsPerInvocation: number;
  /** Model turns the developer may take in one round, over all its invocations. */
  developerMaxTurns: number;
  retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number };
  breaker: { failureThreshold: number; cooldownMs: number };
  prices: PriceTable;
  /** Whether the developer may change `.github/workflows/` (CI that runs with the secrets). */
  allowWorkflowEdits: boolean;
}

/**
 * Reads the Claude agents' settings from the environment; a bad value fails loudly. Apart from
 * config.ts, which every function reads, so that only the functions that run agents carry zod
 * schemas for them.
 */
export function readAgentSettings(env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const parsed = settingsSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== "")),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  const c = parsed.data;
  const bedrock = c.AMELIA_LLM_PROVIDER === "bedrock";
  return {
    provider: c.AMELIA_LLM_PROVIDER,
    models: bedrock
      ? {
          architect: c.AMELIA_BEDROCK_ARCHITECT_MODEL ?? c.AMELIA_BEDROCK_MODEL,
          developer: c.AMELIA_BEDROCK_DEVELOPER_MODEL ?? c.AMELIA_BEDROCK_MODEL,
          reviewer: c.AMELIA_BEDROCK_REVIEWER_MODEL ?? c.AMELIA_BEDROCK_MODEL,
        }
      : {
          architect: c.AMELIA_ARCHITECT_MODEL,
          developer: c.AMELIA_DEVELOPER_MODEL,
          reviewer: c.AMELIA_REVIEWER_MODEL,
        },
    maxTokens: c.AMELIA_MAX_TOKENS,
    streaming: c.AMELIA_ANTHROPIC_STREAMING,
    maxTurns: c.AMELIA_AGENT_MAX_TURNS,
    developerTurnsPerInvocation: c.AMELIA_DEVELOPER_TURNS_PER_INVOCATION,
    developerMaxTurns: c.AMELIA_DEVELOPER_MAX_TURNS,
    retry: {
      maxRetries: c.AMELIA_LLM_MAX_RETRIES,
      baseDelayMs: c.AMELIA_LLM_RETRY_BASE_MS,
      maxDelayMs: c.AMELIA_LLM_RETRY_MAX_MS,
      timeoutMs: c.AMELIA_LLM_TIMEOUT_MS,
    },
    breaker: {
      failureThreshold: c.AMELIA_LLM_BREAKER_THRESHOLD,
      cooldownMs: c.AMELIA_LLM_BREAKER_COOLDOWN_MS,
    },
    prices: priceTable(c.AMELIA_MODEL_PRICES),
    allowWorkflowEdits: c.AMELIA_ALLOW_WORKFLOW_EDITS,
  };
}
