import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { getParameter } from "@aws-lambda-powertools/parameters/ssm";

/**
 * Where each secret comes from. In the cloud an environment variable names the secret (never
 * holds it) and the value is fetched at run time and cached; on a laptop the value itself may
 * be in the environment, as the contract's `AMELIA_API_TOKEN` and `ANTHROPIC_API_KEY` are.
 */
const SOURCES = {
  apiToken: { value: "AMELIA_API_TOKEN", secretsManager: "AMELIA_API_TOKEN_SECRET_ARN" },
  anthropicApiKey: {
    value: "ANTHROPIC_API_KEY",
    ssmParameter: "AMELIA_ANTHROPIC_API_KEY_PARAMETER",
  },
  githubToken: { value: "GITHUB_TOKEN", ssmParameter: "AMELIA_GITHUB_TOKEN_PARAMETER" },
} as const satisfies Record<string, SecretSource>;

interface SecretSource {
  value: string;
  secretsManager?: string;
  ssmParameter?: string;
}

export type SecretName = keyof typeof SOURCES;

/** A rotated secret is picked up within this time; until then calls are served from memory. */
export const SECRET_CACHE_SECONDS = 300;

/** The secret's value, or undefined when it is not configured (an unset optional secret). */
export async function readSecret(
  name: SecretName,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const source: SecretSource = SOURCES[name];
  const secretId = source.secretsManager && env[source.secretsManager];
  if (secretId) return nonEmpty(await getSecret(secretId, { maxAge: SECRET_CACHE_SECONDS }));
  const parameterName = source.ssmParameter && env[source.ssmParameter];
  if (parameterName) return readOptionalParameter(parameterName);
  return nonEmpty(env[source.value]);
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
