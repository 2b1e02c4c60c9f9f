import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ModelClient, type ModelRequest } from "../../src/agents/anthropic/ModelClient";
import { bedrockMessages } from "../../src/agents/bedrock/bedrockMessages";
import { PermanentAgentError } from "../../src/agents/errors";
import { CircuitBreaker } from "../../src/resilience/CircuitBreaker";
import { FakeBedrock, throttled } from "../../../../tests/support/fakeBedrock";
import { apiError, reply, text, toolUse } from "../../../../tests/support/fakeMessages";

const REGION = "eu-west-1";
const CREDENTIALS = {
  accessKeyId: "AKIATESTBEDROCK0001",
  secretAccessKey: "test-secret-access-key",
  sessionToken: "test-session-token",
};
const MODEL = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0";

let fake: FakeBedrock;
beforeAll(async () => {
  fake = await FakeBedrock.start({ region: REGION, credentials: CREDENTIALS });
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

/** The settings the local runtime gives its functions from the person's own. */
const signedByKeys = () => ({
  AWS_REGION: "us-east-1",
  AMELIA_BEDROCK_REGION: REGION,
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
  AMELIA_BEDROCK_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AMELIA_BEDROCK_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AMELIA_BEDROCK_SESSION_TOKEN: CREDENTIALS.sessionToken,
});

function client(env: NodeJS.ProcessEnv, streaming = true) {
  return new ModelClient(
    bedrockMessages(10_000, env),
    new CircuitBreaker("Amazon Bedrock", { failureThreshold: 5, cooldownMs: 60_000 }),
    { maxTokens: 4_000, streaming, maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
  );
}

const request = (model = MODEL): ModelRequest => ({
  model,
  system: [{ type: "text", text: "You plan.", cache_control: { type: "ephemeral" } }],
  tools: [{ name: "submit_plan", input_schema: { type: "object" } }],
  messages: [{ role: "user", content: "Plan the change." }],
});

const PLAN = reply(
  text("A plan follows, written in small pieces."),
  toolUse("submit_plan", { plan: "# Plan" }),
);

describe("the Bedrock client against the fake Bedrock Runtime", () => {
  it("streams an answer from InvokeModelWithResponseStream, signed for bedrock in the region", async () => {
    fake.script("architect", {
      ...PLAN,
      usage: {
        input_tokens: 12,
        output_tokens: 34,
        cache_read_input_tokens: 560,
        cache_creation_input_tokens: 78,
      },
    });
    let streamed = "";
    const message = await client(signedByKeys()).create(request(), (delta) => (streamed += delta));

    expect(streamed).toBe("A plan follows, written in small pieces.");
    expect(message.content.map((block) => block.type)).toEqual(["text", "tool_use"]);
    expect(message.content[1]).toMatchObject({ name: "submit_plan", input: { plan: "# Plan" } });
    expect(message.usage).toMatchObject({
      input_tokens: 12,
      output_tokens: 34,
      cache_read_input_tokens: 560,
      cache_creation_input_tokens: 78,
    });
    // Bedrock answers with the model as Anthropic names it.
    expect(message.model).toBe("claude-sonnet-4-5-20250929");

    const [sent] = fake.requests;
    expect(sent).toMatchObject({
      status: 200,
      path: `/model/${MODEL}/invoke-with-response-stream`,
      modelId: MODEL,
      signedAs: { accessKeyId: CREDENTIALS.accessKeyId, region: REGION, service: "bedrock" },
    });
    expect(sent!.headers["x-amz-security-token"]).toBe(CREDENTIALS.sessionToken);
    expect(sent!.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/bedrock/aws4_request, SignedHeaders=[^ ]*host`,
      ),
    );
    // The model and the streaming choice are in the path; the version is in the body.
    expect(sent!.body).not.toHaveProperty("model");
    expect(sent!.body).not.toHaveProperty("stream");
    expect(sent!.body.anthropic_version).toEqual(expect.any(String));
    expect(sent!.headers).not.toHaveProperty("anthropic-version");
    expect(sent!.headers).not.toHaveProperty("x-api-key");
    expect(sent!.body.system![0]!.cache_control).toEqual({ type: "ephemeral" });
  });

  it("waits for a whole message from InvokeModel when streaming is off", async () => {
    fake.script("architect", PLAN);
    let written = "";
    const message = await client(signedByKeys(), false).create(
      request(),
      (delta) => (written += delta),
    );
    expect(written).toBe("A plan follows, written in small pieces.");
    expect(message.stop_reason).toBe("tool_use");
    expect(fake.requests.map((r) => [r.path, r.streaming])).toEqual([
      [`/model/${MODEL}/invoke`, false],
    ]);
  });

  it("retries throttling, as a 429 answer and as an exception inside the stream", async () => {
    fake.script("architect", throttled(), throttled({ inStream: true }), PLAN);
    const message = await client(signedByKeys()).create(request(), () => {});
    expect(message.content).toHaveLength(2);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("says what Bedrock answered once the retries are spent", async () => {
    fake.otherwise("architect", throttled());
    await expect(client(signedByKeys(), false).create(request(), () => {})).rejects.toThrow(
      "Amazon Bedrock failed 3 times in a row (last: 429 ThrottlingException: " +
        "Too many requests, please wait before trying again.)",
    );
  });

  it("does not retry a request Bedrock refuses: a model the region has no profile of, a bad signature", async () => {
    // An `us.` inference profile cannot be called from eu-west-1.
    const refused = client(signedByKeys()).create(
      request("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
      () => {},
    );
    await expect(refused).rejects.toThrow(PermanentAgentError);
    await expect(refused).rejects.toThrow(
      "Amazon Bedrock refused the request: 400 ValidationException: The provided model identifier is invalid.",
    );

    const wrongSecret = { ...signedByKeys(), AMELIA_BEDROCK_SECRET_ACCESS_KEY: "not-the-secret" };
    await expect(client(wrongSecret).create(request(), () => {})).rejects.toThrow(
      /^Amazon Bedrock refused the request: 403 InvalidSignatureException: The request signature we calculated does not match/,
    );
    const otherRegion = { ...signedByKeys(), AMELIA_BEDROCK_REGION: "eu-central-1" };
    await expect(client(otherRegion).create(request(), () => {})).rejects.toThrow(
      "Amazon Bedrock refused the request: 403 InvalidSignatureException: Credential should be scoped to a valid region.",
    );
    expect(fake.requests.map((r) => r.status)).toEqual([400, 403, 403]);
    expect(fake.pending("architect")).toBe(0);
  });

  it("tells apart the model's own errors from AWS's in a refusal", async () => {
    fake.script("architect", apiError(400, "ValidationException", "messages.0: bad content"));
    await expect(client(signedByKeys(), false).create(request(), () => {})).rejects.toThrow(
      "Amazon Bedrock refused the request: 400 ValidationException: messages.0: bad content",
    );
  });
});

describe("the Bedrock client's identity", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), "amelia-bedrock-"));
    const credentials = path.join(home, "credentials");
    await writeFile(
      credentials,
      [
        "[default]",
        "aws_access_key_id = AKIADEFAULTPROFILE",
        "aws_secret_access_key = wrong",
        "",
        "[bedrock-dev]",
        `aws_access_key_id = ${CREDENTIALS.accessKeyId}`,
        `aws_secret_access_key = ${CREDENTIALS.secretAccessKey}`,
        `aws_session_token = ${CREDENTIALS.sessionToken}`,
        "",
      ].join("\n"),
    );
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", credentials);
    vi.stubEnv("AWS_CONFIG_FILE", path.join(home, "config"));
    // Keys in the environment (a function's own, in the local runtime) never sign for a profile.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAEMULATORKEY");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "emulator");
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(home, { recursive: true, force: true });
  });

  it("is the named profile's, read from the shared credentials file", async () => {
    fake.script("architect", PLAN);
    const env = {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
      AMELIA_BEDROCK_PROFILE: "bedrock-dev",
    };
    await client(env).create(request(), () => {});
    expect(fake.requests.map((r) => [r.status, r.signedAs?.accessKeyId])).toEqual([
      [200, CREDENTIALS.accessKeyId],
    ]);
  });

  it("is the environment's in Lambda, where the role's credentials are", async () => {
    const env = { AWS_REGION: REGION, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url };
    await expect(client(env).create(request(), () => {})).rejects.toThrow(
      "Amazon Bedrock refused the request: 403 UnrecognizedClientException: The security token included in the request is invalid.",
    );
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([
      expect.stringContaining("Credential=AKIAEMULATORKEY/"),
    ]);
  });

  it("needs a region", () => {
    expect(() => bedrockMessages(1_000, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url })).toThrow(
      "Amazon Bedrock needs a region: set AWS_REGION (AMELIA_LLM_PROVIDER=bedrock)",
    );
  });
});
