import { describe, expect, it } from "vitest";
import { bedrockIdentity } from "../../src/bedrockIdentity";

const BEDROCK = { AMELIA_LLM_PROVIDER: "bedrock", AWS_REGION: "eu-west-1" };

describe("the identity the local functions call Amazon Bedrock with", () => {
  it("is the person's static keys and region, session token included", () => {
    expect(
      bedrockIdentity({
        ...BEDROCK,
        AWS_ACCESS_KEY_ID: "AKIAPERSON",
        AWS_SECRET_ACCESS_KEY: "secret",
        AWS_SESSION_TOKEN: "session",
        AWS_PROFILE: "ignored-beside-keys",
      }),
    ).toEqual({
      AMELIA_BEDROCK_REGION: "eu-west-1",
      AMELIA_BEDROCK_ACCESS_KEY_ID: "AKIAPERSON",
      AMELIA_BEDROCK_SECRET_ACCESS_KEY: "secret",
      AMELIA_BEDROCK_SESSION_TOKEN: "session",
    });
  });

  it("is the person's profile without keys, `default` without AWS_PROFILE", () => {
    expect(bedrockIdentity({ ...BEDROCK, AWS_PROFILE: "bedrock-dev" })).toEqual({
      AMELIA_BEDROCK_REGION: "eu-west-1",
      AMELIA_BEDROCK_PROFILE: "bedrock-dev",
    });
    expect(bedrockIdentity({ ...BEDROCK, AWS_ACCESS_KEY_ID: "AKIAHALF" })).toEqual({
      AMELIA_BEDROCK_REGION: "eu-west-1",
      AMELIA_BEDROCK_PROFILE: "default",
    });
    expect(
      bedrockIdentity({ AMELIA_LLM_PROVIDER: "bedrock", AWS_DEFAULT_REGION: "us-west-2" }),
    ).toEqual({ AMELIA_BEDROCK_REGION: "us-west-2", AMELIA_BEDROCK_PROFILE: "default" });
  });

  it("refuses to start without a region", () => {
    expect(() => bedrockIdentity({ AMELIA_LLM_PROVIDER: "bedrock", AWS_PROFILE: "p" })).toThrow(
      "AMELIA_LLM_PROVIDER=bedrock: set AWS_REGION to the region to call Amazon Bedrock in",
    );
  });

  it("hands nothing of the person's AWS identity to the functions for another provider", () => {
    const settings = {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIA",
      AWS_SECRET_ACCESS_KEY: "s",
    };
    expect(bedrockIdentity(settings)).toEqual({});
    expect(bedrockIdentity({ ...settings, AMELIA_LLM_PROVIDER: "anthropic" })).toEqual({});
  });
});
