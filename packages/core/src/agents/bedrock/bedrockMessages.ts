import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk/client";
import { defaultProvider } from "@aws-sdk/credential-provider-node";

type CredentialsProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}>;

/**
 * The Messages API of Amazon Bedrock (`@anthropic-ai/bedrock-sdk`): Anthropic's request and
 * answer shapes, sent to `InvokeModel` / `InvokeModelWithResponseStream` signed with SigV4, the
 * event stream of a streamed answer turned back into Anthropic's SSE events. The SDK's retries
 * are off (ModelClient retries) and no Bedrock API key is used: IAM decides who may call.
 *
 * Whom the calls are signed as, and where they go:
 * - the region: `AMELIA_BEDROCK_REGION`, else `AWS_REGION` (Lambda sets it);
 * - the endpoint: `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, else `AWS_ENDPOINT_URL` (as AWS's SDKs read
 *   them; LocalStack and the tests' fake are reached so), else Bedrock Runtime in the region;
 * - the credentials: `AMELIA_BEDROCK_ACCESS_KEY_ID` / `…_SECRET_ACCESS_KEY` / `…_SESSION_TOKEN`,
 *   else the profile `AMELIA_BEDROCK_PROFILE`, else the standard chain (in Lambda, its role).
 * The local runtime sets the `AMELIA_BEDROCK_*` ones from the person's own `AWS_*` settings,
 * since its functions' `AWS_*` credentials and region are those of its emulators.
 */
export function bedrockMessages(timeoutMs: number, env: NodeJS.ProcessEnv = process.env) {
  const setting = (name: string) => env[name] || undefined;
  const region = setting("AMELIA_BEDROCK_REGION") ?? setting("AWS_REGION");
  if (!region) {
    throw new Error("Amazon Bedrock needs a region: set AWS_REGION (AMELIA_LLM_PROVIDER=bedrock)");
  }
  const credentials = credentialsProvider(setting);
  const endpoint = setting("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") ?? setting("AWS_ENDPOINT_URL");
  const client = new AnthropicBedrock({
    awsRegion: region,
    ...(endpoint && { baseURL: endpoint }),
    apiKey: null,
    maxRetries: 0,
    timeout: timeoutMs,
    providerChainResolver: () => Promise.resolve(credentials),
  });
  return client.messages;
}

/** Where the credentials that sign the calls come from. */
function credentialsProvider(setting: (name: string) => string | undefined): CredentialsProvider {
  const accessKeyId = setting("AMELIA_BEDROCK_ACCESS_KEY_ID");
  const secretAccessKey = setting("AMELIA_BEDROCK_SECRET_ACCESS_KEY");
  if (accessKeyId && secretAccessKey) {
    const sessionToken = setting("AMELIA_BEDROCK_SESSION_TOKEN");
    return () =>
      Promise.resolve({ accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) });
  }
  // It caches the credentials and refreshes them before they expire (a role's, an SSO profile's).
  const profile = setting("AMELIA_BEDROCK_PROFILE");
  return defaultProvider(profile ? { profile, logger: PROFILE_LOGGER } : {});
}

/**
 * The chain warns when a profile is set beside keys in the environment, which is the local
 * runtime's case on purpose (the keys are its emulators'); its other warnings still show.
 */
const PROFILE_LOGGER = {
  debug: () => {},
  info: () => {},
  warn: (...content: unknown[]) => {
    if (!String(content[0]).includes("Multiple credential sources detected")) {
      console.warn(...content);
    }
  },
  error: (...content: unknown[]) => console.error(...content),
};
