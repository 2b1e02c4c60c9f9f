import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_AGENT_MODEL,
  DEFAULT_BEDROCK_MODEL,
  readAgentSettings,
} from "../../../src/agents/agentSettings";
import { parseBedrockModel } from "../../../src/agents/bedrock/modelIds";
import { DEMO_MODEL } from "../../../src/agents/DemoDriver";
import { driverSelector } from "../../../src/agentServices";

const everyAgent = (model: string) => ({ architect: model, developer: model, reviewer: model });
const noKeyRead = () => Promise.reject(new Error("the Anthropic key was read"));

describe("the provider of the agents' model calls", () => {
  it("is Anthropic's API by default, with Anthropic's model names", () => {
    const settings = readAgentSettings({});
    expect(settings.provider).toBe("anthropic");
    expect(settings.models).toEqual(everyAgent(DEFAULT_AGENT_MODEL));
  });

  it("is Amazon Bedrock with AMELIA_LLM_PROVIDER=bedrock, with Bedrock's ids per agent", () => {
    const bedrock = readAgentSettings({
      AMELIA_LLM_PROVIDER: "bedrock",
      // Anthropic's names are not Bedrock's: they are ignored here.
      AMELIA_ARCHITECT_MODEL: "claude-opus-5-5",
    });
    expect(bedrock.provider).toBe("bedrock");
    expect(bedrock.models).toEqual(everyAgent(DEFAULT_BEDROCK_MODEL));

    const configured = readAgentSettings({
      AMELIA_LLM_PROVIDER: "bedrock",
      AMELIA_BEDROCK_MODEL: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
      AMELIA_BEDROCK_REVIEWER_MODEL: "global.anthropic.claude-opus-5-5",
    });
    expect(configured.models).toEqual({
      architect: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
      developer: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
      reviewer: "global.anthropic.claude-opus-5-5",
    });
  });

  it("refuses an unknown provider and a model id Bedrock would not know, naming the setting", () => {
    expect(() => readAgentSettings({ AMELIA_LLM_PROVIDER: "openai" })).toThrow(
      /^Invalid configuration: AMELIA_LLM_PROVIDER: /,
    );
    for (const id of ["claude-sonnet-5-5", "us.anthropic.", "arn:aws:bedrock:us-east-1::x"]) {
      expect(() =>
        readAgentSettings({ AMELIA_LLM_PROVIDER: "bedrock", AMELIA_BEDROCK_DEVELOPER_MODEL: id }),
      ).toThrow(
        "Invalid configuration: AMELIA_BEDROCK_DEVELOPER_MODEL: expected the Bedrock id of a Claude model or inference profile",
      );
    }
  });
});

describe("choosing the driver", () => {
  const bedrockEnv = { AMELIA_LLM_PROVIDER: "bedrock" };
  // The Bedrock client reads its region from the environment, as in Lambda.
  beforeEach(() => vi.stubEnv("AWS_REGION", "us-west-2"));
  afterEach(() => vi.unstubAllEnvs());

  it("calls Claude on Bedrock without reading the Anthropic key", async () => {
    const driver = await driverSelector(readAgentSettings(bedrockEnv), noKeyRead)();
    expect(driver).toMatchObject({ demo: false, model: DEFAULT_BEDROCK_MODEL });
  });

  it("calls Anthropic's API with a key, the demo model without one", async () => {
    const settings = readAgentSettings({});
    const withKey = await driverSelector(settings, () => Promise.resolve("sk-ant-test"))();
    expect(withKey).toMatchObject({ demo: false, model: DEFAULT_AGENT_MODEL });
    const withoutKey = await driverSelector(settings, () => Promise.resolve(undefined))();
    expect(withoutKey).toMatchObject({ demo: true, model: DEMO_MODEL });
  });

  it("refuses a Bedrock model it has no price for when the driver is built, naming the setting", async () => {
    const select = driverSelector(
      readAgentSettings({
        ...bedrockEnv,
        AMELIA_BEDROCK_MODEL: "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
      }),
      noKeyRead,
    );
    await expect(select()).rejects.toThrow(
      "No price for model us.anthropic.claude-3-5-sonnet-20240620-v1:0: add it to AMELIA_MODEL_PRICES",
    );
  });
});

describe("Bedrock model ids", () => {
  it("name the inference profile's geography, the foundation model and Anthropic's name", () => {
    expect(parseBedrockModel("us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual({
      id: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      geography: "us",
      foundationModel: "anthropic.claude-sonnet-4-5-20250929-v1:0",
      anthropicModel: "claude-sonnet-4-5-20250929",
    });
    expect(parseBedrockModel("global.anthropic.claude-sonnet-5-5")).toMatchObject({
      geography: "global",
      foundationModel: "anthropic.claude-sonnet-5-5",
      anthropicModel: "claude-sonnet-5-5",
    });
    expect(parseBedrockModel("anthropic.claude-opus-4-6-v1")).toMatchObject({
      geography: undefined,
      foundationModel: "anthropic.claude-opus-4-6-v1",
      anthropicModel: "claude-opus-4-6",
    });
    expect(parseBedrockModel("us-gov.anthropic.claude-haiku-4-5-20251001-v1:0")).toMatchObject({
      geography: "us-gov",
      anthropicModel: "claude-haiku-4-5-20251001",
    });
  });

  it("are Claude's only, and never an ARN", () => {
    for (const id of [
      "claude-sonnet-5-5",
      "meta.llama3-70b-instruct-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
      "us.anthropic.claude-sonnet-5-5/invoke",
    ]) {
      expect(parseBedrockModel(id), id).toBeUndefined();
    }
  });
});
