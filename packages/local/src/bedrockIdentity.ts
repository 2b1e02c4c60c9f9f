/**
 * With AMELIA_LLM_PROVIDER=bedrock the agents call Amazon Bedrock itself, as the person: the
 * functions' own AWS credentials and region are the emulators', so the person's go to them under
 * the names packages/core's Bedrock client reads. Their static keys when set (as the AWS CLI
 * prefers them), else their profile (`default` without AWS_PROFILE); and their region, without
 * which the runtime does not start.
 */
export function bedrockIdentity(
  settings: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  if (settings.AMELIA_LLM_PROVIDER !== "bedrock") return {};
  const region = settings.AWS_REGION || settings.AWS_DEFAULT_REGION;
  if (!region) {
    throw new Error(
      "AMELIA_LLM_PROVIDER=bedrock: set AWS_REGION to the region to call Amazon Bedrock in",
    );
  }
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretKey } = settings;
  const sessionToken = settings.AWS_SESSION_TOKEN;
  const credentials: Record<string, string> =
    accessKeyId && secretKey
      ? {
          AMELIA_BEDROCK_ACCESS_KEY_ID: accessKeyId,
          AMELIA_BEDROCK_SECRET_ACCESS_KEY: secretKey,
          ...(sessionToken && { AMELIA_BEDROCK_SESSION_TOKEN: sessionToken }),
        }
      : { AMELIA_BEDROCK_PROFILE: settings.AWS_PROFILE || "default" };
  return { AMELIA_BEDROCK_REGION: region, ...credentials };
}
