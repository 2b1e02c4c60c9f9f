import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsJsonServer } from "../../../../src/aws/protocol/AwsJsonServer";
import { AwsServiceError } from "../../../../src/aws/protocol/AwsServiceError";
import type { JsonService } from "../../../../src/aws/protocol/JsonService";
import { sfn } from "../../../support/sdk";

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
    server = new AwsJsonServer({ services: [echo], log: () => undefined });
    ({ endpoint } = await server.start());
  });
  afterEach(() => server.close());

  const post = (target: string, body: string) =>
    fetch(endpoint, {
      method: "POST",
      headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.0" },
      body,
    });

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
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
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
    const response = await fetch(`${endpoint}/nothing`);
    expect(response.status).toBe(404);
  });
});
