import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsJsonServer } from "../../../../src/aws/protocol/AwsJsonServer";
import { AwsServiceError } from "../../../../src/aws/protocol/AwsServiceError";
import type { JsonService } from "../../../../src/aws/protocol/JsonService";
import { sfn, signedFetch, signedHeaders, TEST_CREDENTIALS } from "../../../support/sdk";

const echo: JsonService = {
  targetPrefix: "AWSStepFunctions",
  jsonVersion: "1.0",
  async handle(operation, input) {
    if (operation === "DescribeExecution") {
      throw new AwsServiceError("ExecutionDoesNotExist", `no ${String(input.executionArn)}`);
    }
    if (operation === "Explode") throw new Error("bug");
    return { operation, input };
  },
};

describe("AwsJsonServer", () => {
  let server: AwsJsonServer;
  let endpoint: string;
  beforeEach(async () => {
    server = new AwsJsonServer({
      services: [echo],
      credentials: TEST_CREDENTIALS,
      log: () => undefined,
    });
    ({ endpoint } = await server.start());
  });
  afterEach(() => server.close());

  const jsonHeaders = (target: string) => ({
    "x-amz-target": target,
    "content-type": "application/x-amz-json-1.0",
  });
  const post = (target: string, body: string) =>
    signedFetch(endpoint, { headers: jsonHeaders(target), body });

  it("dispatches by x-amz-target and answers in the service's JSON protocol", async () => {
    const response = await post("AWSStepFunctions.StartExecution", '{"name":"a"}');
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(await response.json()).toEqual({ operation: "StartExecution", input: { name: "a" } });
  });

  it("answers errors as {__type, message} with status 400 (500 for emulator bugs)", async () => {
    const described = await post("AWSStepFunctions.DescribeExecution", '{"executionArn":"x"}');
    expect(described.status).toBe(400);
    expect(await described.json()).toEqual({ __type: "ExecutionDoesNotExist", message: "no x" });
    const unknown = await post("AWSLambda.Invoke", "{}");
    expect(await unknown.json()).toMatchObject({ __type: "UnknownOperationException" });
    const malformed = await post("AWSStepFunctions.StartExecution", "{oops");
    expect(await malformed.json()).toMatchObject({ __type: "SerializationException" });
    const bug = await post("AWSStepFunctions.Explode", "{}");
    expect(bug.status).toBe(500);
  });

  it("is reachable through AWS_ENDPOINT_URL_SFN, as the handlers configure it", async () => {
    const previous = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = endpoint;
    const client = new sfn.SFNClient({
      region: "us-east-1",
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const command = new sfn.DescribeExecutionCommand({ executionArn: "arn:x" });
      await expect(client.send(command)).rejects.toBeInstanceOf(sfn.ExecutionDoesNotExist);
    } finally {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SFN;
      else process.env.AWS_ENDPOINT_URL_SFN = previous;
    }
  });

  it("answers 404 for anything else", async () => {
    const response = await signedFetch(`${endpoint}/nothing`, { method: "GET" });
    expect(response.status).toBe(404);
  });

  describe("refuses every request not signed with its credentials, as AWS does", () => {
    const refusal = async (response: Response) => ({
      status: response.status,
      type: ((await response.json()) as { __type: string }).__type,
    });
    const described = (target = "AWSStepFunctions.DescribeExecution") => ({
      headers: jsonHeaders(target),
      body: '{"executionArn":"x"}',
    });

    it("unsigned, or with a forged AWS4-HMAC-SHA256 header", async () => {
      const unsigned = await fetch(endpoint, { method: "POST", ...described() });
      expect(await refusal(unsigned)).toEqual({
        status: 400,
        type: "com.amazon.coral.service#MissingAuthenticationTokenException",
      });
      const forged = await fetch(endpoint, {
        method: "POST",
        headers: {
          ...jsonHeaders("AWSStepFunctions.DescribeExecution"),
          "x-amz-date": new Date().toISOString().replace(/[-:]|\.\d{3}/g, ""),
          authorization:
            `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/us-east-1/states/aws4_request, ` +
            `SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
        },
        body: '{"executionArn":"x"}',
      });
      expect(forged.status).toBe(400);
      expect((await refusal(forged)).type).toMatch(/#InvalidSignatureException$/);
    });

    it("signed with another key, or another secret, or with a body changed after signing", async () => {
      const otherKey = await signedFetch(endpoint, described(), {
        credentials: { accessKeyId: "AKIAOTHER", secretAccessKey: "x" },
      });
      expect(await refusal(otherKey)).toEqual({
        status: 400,
        type: "com.amazon.coral.service#UnrecognizedClientException",
      });
      const otherSecret = await signedFetch(endpoint, described(), {
        credentials: { ...TEST_CREDENTIALS, secretAccessKey: "guessed" },
      });
      expect(await refusal(otherSecret)).toEqual({
        status: 400,
        type: "com.amazon.coral.service#InvalidSignatureException",
      });
      // The signature covers the body: one signed for another input does not pass for this one.
      const tampered = await fetch(endpoint, {
        method: "POST",
        headers: await signedHeaders(endpoint, described()),
        body: '{"executionArn":"y"}',
      });
      expect(await refusal(tampered)).toEqual({
        status: 400,
        type: "com.amazon.coral.service#InvalidSignatureException",
      });
      const signed = await signedFetch(endpoint, described());
      expect(signed.status).toBe(400);
      expect(((await signed.json()) as { __type: string }).__type).toBe("ExecutionDoesNotExist");
    });

    it("answers no CORS: a browser page cannot read it", async () => {
      const preflight = await fetch(endpoint, {
        method: "OPTIONS",
        headers: { origin: "http://evil.test", "access-control-request-method": "POST" },
      });
      expect(preflight.status).toBe(400);
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
      const signed = await signedFetch(endpoint, {
        ...described(),
        headers: { ...described().headers, origin: "http://evil.test" },
      });
      expect(signed.headers.get("access-control-allow-origin")).toBeNull();
    });
  });
});
