/**
 * A Claude model as Amazon Bedrock names it: a foundation model (`anthropic.claude-…`, called in
 * the region itself) or a cross-region inference profile, the foundation model's id behind a
 * geography (`us.`, `eu.`, `apac.`, …) or `global.`, which routes each call to a region of its own.
 */
export interface BedrockModel {
  /** The id as configured and as it goes into the request path. */
  id: string;
  /** The inference profile's prefix (`us`, `eu`, `global`), or undefined for a foundation model. */
  geography: string | undefined;
  /** The foundation model the id stands for or routes to: `anthropic.claude-sonnet-4-5-20250929-v1:0`. */
  foundationModel: string;
  /** The same model as Anthropic's API names it: `claude-sonnet-4-5-20250929`. */
  anthropicModel: string;
}

const BEDROCK_MODEL_ID =
  /^(?:(?<geography>[a-z]{2,6}(?:-[a-z]{2,4})?)\.)?anthropic\.(?<model>claude-[a-z0-9]+(?:-[a-z0-9]+)*?)(?<version>-v\d+(?::\d+)?)?$/;

/** The parts of a Bedrock model id, or undefined when it is not one of a Claude model. */
export function parseBedrockModel(id: string): BedrockModel | undefined {
  const groups = BEDROCK_MODEL_ID.exec(id)?.groups;
  if (!groups) return undefined;
  const anthropicModel = groups.model!;
  return {
    id,
    geography: groups.geography,
    foundationModel: `anthropic.${anthropicModel}${groups.version ?? ""}`,
    anthropicModel,
  };
}
