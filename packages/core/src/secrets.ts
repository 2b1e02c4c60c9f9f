import { getParameter } from "@aws-lambda-powertools/parameters/ssm";

/**
 * The agents' secrets. In the cloud an environment variable names an SSM SecureString parameter
 * (an SST secret, set with `npx sst secrets set NAME value`) whose value is fetched at run time
 * and cached; on a laptop the value itself may be in the environment, as the contract's
 * `ANTHROPIC_API_KEY` is. The API token has its own reader: auth/apiToken.ts.
 */
const SOURCES = {
  anthropicApiKey: { value: "ANTHROPIC_API_KEY", parameter: "AMELIA_ANTHROPIC_API_KEY_PARAMETER" },
  githubToken: { value: "GITHUB_TOKEN", parameter: "AMELIA_GITHUB_TOKEN_PARAMETER" },
  githubWebhookSecret: {
    value: "GITHUB_WEBHOOK_SECRET",
    parameter: "AMELIA_GITHUB_WEBHOOK_SECRET_PARAMETER",
  },
} as const;

export type SecretName = keyof typeof SOURCES;

/** A rotated secret is picked up within this time; until then calls are served from memory. */
export const SECRET_CACHE_SECONDS = 300;

/** The secret's value, or undefined when it is not configured (an unset optional secret). */
export async function readSecret(
  name: SecretName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const parameterName = env[SOURCES[name].parameter];
  if (parameterName) return readOptionalParameter(parameterName);
  return nonEmpty(env[SOURCES[name].value]);
}

/** An SST secret the person has not set yet does not exist: that means "not configured". */
async function readOptionalParameter(name: string): Promise<string | undefined> {
  try {
    return nonEmpty(await getParameter(name, { decrypt: true, maxAge: SECRET_CACHE_SECONDS }));
  } catch (error) {
    if (isParameterNotFound(error)) return undefined;
    throw error;
  }
}

function isParameterNotFound(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === "ParameterNotFound") return true;
  }
  return false;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
