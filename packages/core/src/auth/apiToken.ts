import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { SECRET_CACHE_SECONDS } from "../secrets";

/**
 * The API's bearer token: in the cloud from the Secrets Manager secret that the deploy generated
 * (`AMELIA_API_TOKEN_SECRET_ARN`), cached; on a laptop `AMELIA_API_TOKEN` itself. Undefined when
 * neither is set. Kept apart from the agents' secrets so the authorizer bundles one SDK client.
 */
export async function readApiToken(
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const secretId = env.AMELIA_API_TOKEN_SECRET_ARN;
  const value = secretId
    ? await getSecret(secretId, { maxAge: SECRET_CACHE_SECONDS })
    : env.AMELIA_API_TOKEN;
  return typeof value === "string" && value !== "" ? value : undefined;
}
