import type { Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function } from "sst/constructs";
import { readAgentSettings, type AgentSettings } from "@amelia/core/agents/agentSettings";
import { parseBedrockModel } from "@amelia/core/agents/bedrock/modelIds";
import { deployedSettings } from "./functionDefaults";
import { accept, wildcardResource } from "./nag";

/**
 * The models the agents call on Amazon Bedrock when deployed with AMELIA_LLM_PROVIDER=bedrock
 * (then no Anthropic key is made or granted), else undefined.
 */
export function deployedBedrockModels(): AgentSettings["models"] | undefined {
  const settings = readAgentSettings(deployedSettings());
  return settings.provider === "bedrock" ? settings.models : undefined;
}

const INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"];

/**
 * Lets `fn` call the Bedrock model `modelId` and no other. An inference profile is this account's
 * in this region, and it routes each call to the foundation model in one of its geography's
 * regions (any region, for `global.`), which Bedrock authorizes too: the foundation model is
 * granted in every region, by its id alone. A foundation model called directly is granted in
 * this region only.
 */
export function grantBedrockModel(fn: Function, stack: Stack, modelId: string): void {
  const model = parseBedrockModel(modelId);
  if (!model) throw new Error(`${modelId} is not the Bedrock id of a Claude model`);
  const arn = (region: string, account: string, resource: string) =>
    `arn:${stack.partition}:bedrock:${region}:${account}:${resource}`;
  const resources = model.geography
    ? [
        arn(stack.region, stack.account, `inference-profile/${model.id}`),
        arn("*", "", `foundation-model/${model.foundationModel}`),
      ]
    : [arn(stack.region, "", `foundation-model/${model.id}`)];
  fn.attachPermissions([new PolicyStatement({ actions: INVOKE, resources })]);
  if (!model.geography) return;
  accept(fn, [
    {
      id: "AwsSolutions-IAM5",
      reason:
        "The inference profile routes calls to its foundation model in the regions Bedrock picks: that one model, in any region",
      appliesTo: [
        wildcardResource(".*:bedrock:\\*::foundation-model/anthropic\\.claude-[a-z0-9.:-]+"),
      ],
    },
  ]);
}
