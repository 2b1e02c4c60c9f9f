import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Template } from "aws-cdk-lib/assertions";
import { Api } from "../../stacks/Api";
import { Auth } from "../../stacks/Auth";
import { Events } from "../../stacks/Events";
import { Storage } from "../../stacks/Storage";
import { Web } from "../../stacks/Web";
import { Workflow } from "../../stacks/Workflow";
import {
  actionsOf,
  environmentOf,
  nagFindings,
  policyStatements,
  rendered,
  synthesise,
} from "../support/stacks";

const STACKS = { Storage, Auth, Events, Workflow, Api, Web };
const templates: Record<string, Template> = {};

/** A stage whose agents call Claude on Amazon Bedrock, as `AMELIA_… npx sst deploy` sets it. */
const SETTINGS = {
  AMELIA_LLM_PROVIDER: "bedrock",
  AMELIA_BEDROCK_MODEL: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  AMELIA_BEDROCK_ARCHITECT_MODEL: "global.anthropic.claude-opus-5-5",
  // A foundation model called in the region itself, without a profile.
  AMELIA_BEDROCK_REVIEWER_MODEL: "anthropic.claude-haiku-4-5-20251001-v1:0",
};

beforeAll(async () => {
  Object.assign(process.env, SETTINGS);
  const templateOf = await synthesise("bedrock", { nag: true });
  for (const [name, stack] of Object.entries(STACKS)) templates[name] = templateOf(stack);
});
afterAll(() => {
  for (const name of Object.keys(SETTINGS)) delete process.env[name];
});

const bedrockStatements = () =>
  policyStatements(Object.values(templates)).filter(([, statement]) =>
    actionsOf(statement).some((action) => action.startsWith("bedrock:")),
  );

/** What each function may invoke on Bedrock, by its logical id without CDK's suffixes. */
function invokable(): Record<string, string[]> {
  const grants: Record<string, string[]> = {};
  for (const [id, statement] of bedrockStatements()) {
    expect(actionsOf(statement).sort(), id).toEqual([
      "bedrock:InvokeModel",
      "bedrock:InvokeModelWithResponseStream",
    ]);
    const holder = id.replace(/ServiceRoleDefaultPolicy[A-Za-z0-9]*$/, "");
    grants[holder] = [...(grants[holder] ?? []), ...[statement.Resource].flat().map(rendered)];
  }
  return grants;
}

describe("agents on Amazon Bedrock", () => {
  it("may invoke their own configured model or inference profile, and nothing else may", () => {
    const profile = (id: string) =>
      `arn:<AWS::Partition>:bedrock:us-east-1:my-account:inference-profile/${id}`;
    const anyRegion = (id: string) => `arn:<AWS::Partition>:bedrock:*::foundation-model/${id}`;
    expect(invokable()).toEqual({
      Architect: [
        profile("global.anthropic.claude-opus-5-5"),
        anyRegion("anthropic.claude-opus-5-5"),
      ],
      Developer: [
        profile("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        anyRegion("anthropic.claude-sonnet-4-5-20250929-v1:0"),
      ],
      Reviewer: [
        "arn:<AWS::Partition>:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
      ],
    });
  });

  it("need no Anthropic key: none is made, granted or named to a function", () => {
    for (const [name, template] of Object.entries(templates)) {
      expect(JSON.stringify(template.toJSON()), name).not.toContain("ANTHROPIC_API_KEY");
    }
    for (const [id, statement] of policyStatements(Object.values(templates))) {
      if (!actionsOf(statement).includes("ssm:GetParameter")) continue;
      expect(rendered(statement.Resource), id).toMatch(
        /\/Secret\/(GITHUB_TOKEN|GITHUB_WEBHOOK_SECRET)\/value$/,
      );
    }
  });

  it("are told the provider and their models", () => {
    const agents = Object.entries(
      templates.Workflow!.findResources("AWS::Lambda::Function"),
    ).filter(([id]) => /^(Architect|Developer|Reviewer)[0-9A-F]{8}$/.test(id));
    expect(agents).toHaveLength(3);
    for (const [id, fn] of agents) {
      const environment = environmentOf(fn as { Properties: Record<string, unknown> });
      expect(environment, id).toMatchObject(SETTINGS);
      expect(Object.keys(environment), id).not.toContain("AMELIA_ANTHROPIC_API_KEY_PARAMETER");
    }
  });

  it("leave cdk-nag nothing unsuppressed: the foundation model's any-region wildcard is reasoned", () => {
    for (const stack of Object.values(STACKS)) expect(nagFindings(stack), stack.name).toEqual([]);
  });
});
