import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { codeBuild, s3, signedFetch } from "../../packages/local/tests/support/sdk";
import { useTestRuntime } from "../support/runtime";

const fixture = useTestRuntime();

function runtimeCredentials() {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = fixture.runtime.environment;
  return { accessKeyId: AWS_ACCESS_KEY_ID!, secretAccessKey: AWS_SECRET_ACCESS_KEY! };
}

const json = (target: string) => ({
  "x-amz-target": target,
  "content-type": "application/x-amz-json-1.0",
});

async function errorType(response: Response): Promise<string> {
  return ((await response.json()) as { __type: string }).__type;
}

describe("the local emulators accept only the runtime's own signed requests", () => {
  it("DynamoDB: an unsigned Scan, a forged signature and other keys are refused; no CORS", async () => {
    const endpoint = fixture.runtime.environment.AWS_ENDPOINT_URL_DYNAMODB!;
    expect(new URL(endpoint).hostname).toBe("127.0.0.1");
    const scan = { headers: json("DynamoDB_20120810.Scan"), body: '{"TableName":"amelia"}' };

    const unsigned = await fetch(endpoint, {
      method: "POST",
      headers: { ...scan.headers, origin: "http://evil.test" },
      body: scan.body,
    });
    expect(unsigned.status).toBe(400);
    expect(unsigned.headers.get("access-control-allow-origin")).toBeNull();
    expect(await errorType(unsigned)).toBe(
      "com.amazon.coral.service#MissingAuthenticationTokenException",
    );

    const { accessKeyId } = runtimeCredentials();
    const forged = await fetch(endpoint, {
      method: "POST",
      headers: {
        ...scan.headers,
        "x-amz-date": new Date().toISOString().replace(/[-:]|\.\d{3}/g, ""),
        authorization:
          `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${new Date().toISOString().slice(0, 10).replaceAll("-", "")}/us-east-1/dynamodb/aws4_request, ` +
          `SignedHeaders=host;x-amz-date, Signature=${"a".repeat(64)}`,
      },
      body: scan.body,
    });
    expect(await errorType(forged)).toBe("com.amazon.coral.service#InvalidSignatureException");

    // The fixed key every earlier run accepted opens nothing now.
    const oldKey = await signedFetch(endpoint, scan, {
      service: "dynamodb",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    expect(await errorType(oldKey)).toBe("com.amazon.coral.service#UnrecognizedClientException");

    const signed = await signedFetch(
      endpoint,
      { ...scan, headers: { ...scan.headers, origin: "http://evil.test" } },
      { service: "dynamodb", credentials: runtimeCredentials() },
    );
    expect(signed.status).toBe(200);
    expect(signed.headers.get("access-control-allow-origin")).toBeNull();
    expect(await signed.json()).toHaveProperty("Items");
  });

  it("Step Functions and EventBridge: unsigned is refused, the runtime's credentials work", async () => {
    const endpoint = fixture.runtime.environment.AWS_ENDPOINT_URL_SFN!;
    expect(new URL(endpoint).hostname).toBe("127.0.0.1");
    const describe = {
      headers: json("AWSStepFunctions.DescribeExecution"),
      body: JSON.stringify({
        executionArn: `${fixture.runtime.environment.AMELIA_STATE_MACHINE_ARN}:x`,
      }),
    };
    const unsigned = await fetch(endpoint, { method: "POST", ...describe });
    expect(unsigned.status).toBe(400);
    expect(await errorType(unsigned)).toBe(
      "com.amazon.coral.service#MissingAuthenticationTokenException",
    );
    const signed = await signedFetch(endpoint, describe, { credentials: runtimeCredentials() });
    expect(await errorType(signed)).toBe("ExecutionDoesNotExist");

    const events = fixture.runtime.environment.AWS_ENDPOINT_URL_EVENTBRIDGE!;
    const put = {
      headers: { ...json("AWSEvents.PutEvents"), "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({
        Entries: [{ Source: "test", DetailType: "t", Detail: "{}", EventBusName: "elsewhere" }],
      }),
    };
    const unsignedPut = await fetch(events, { method: "POST", ...put });
    expect(unsignedPut.status).toBe(400);
    expect(await errorType(unsignedPut)).toBe(
      "com.amazon.coral.service#MissingAuthenticationTokenException",
    );
    const signedPut = await signedFetch(events, put, {
      service: "events",
      credentials: runtimeCredentials(),
    });
    expect(signedPut.status).toBe(200);
    expect(await signedPut.json()).toMatchObject({ FailedEntryCount: 1 });
  });

  it("@connections: unsigned is refused with 403, signed reaches the registry", async () => {
    const endpoint = fixture.runtime.environment.AMELIA_WS_MANAGEMENT_ENDPOINT!;
    const url = `${endpoint}/@connections/nobody`;
    const unsigned = await fetch(url, { method: "POST", body: "hello" });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    const signed = await signedFetch(
      url,
      { body: "hello" },
      { service: "execute-api", credentials: runtimeCredentials() },
    );
    expect(signed.status).toBe(410);
  });

  it("S3 and CodeBuild: the checks' bucket and project, reached only with the runtime's credentials", async () => {
    const { environment } = fixture.runtime;
    const bucket = environment.AMELIA_CHECKS_BUCKET!;
    const objects = environment.AWS_ENDPOINT_URL_S3!;
    expect(new URL(objects).hostname).toBe("127.0.0.1");
    const unsigned = await fetch(`${objects}/${bucket}/sources/x.zip`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("access-control-allow-origin")).toBeNull();

    // The SDK finds both endpoints from the environment, as the handlers' clients do.
    const config = { region: environment.AWS_REGION, credentials: runtimeCredentials() };
    const endpoints = {
      AWS_ENDPOINT_URL_S3: objects,
      AWS_ENDPOINT_URL_CODEBUILD: environment.AWS_ENDPOINT_URL_CODEBUILD!,
    };
    const previous = Object.keys(endpoints).map((name) => [name, process.env[name]] as const);
    Object.assign(process.env, endpoints);
    const s3Client = new s3.S3Client({ ...config, forcePathStyle: true });
    const builds = new codeBuild.CodeBuildClient(config);
    try {
      await s3Client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: "probe", Body: "x" }));
      const object = await s3Client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: "probe" }));
      expect(await object.Body!.transformToString()).toBe("x");
      const start = builds.send(
        new codeBuild.StartBuildCommand({ projectName: environment.AMELIA_CHECKS_PROJECT }),
      );
      // Known project, so only the missing source is refused.
      await expect(start).rejects.toThrow(/sourceLocationOverride is required/);
    } finally {
      s3Client.destroy();
      builds.destroy();
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(environment.AMELIA_SANDBOX).toMatch(/^(bubblewrap|unsafe-host|unavailable: .+)$/);
  });

  it("keeps its data directory private: 0700, the executions' files 0600", async () => {
    const created = await fixture.api.create({ issueId: "MODES-1" });
    expect(created.status).toBe(201);
    await fixture.api.waitForStatus(created.body.id, "blocked");
    const mode = async (file: string) => (await stat(file)).mode & 0o777;
    const { dataDir } = fixture.runtime;
    expect(await mode(dataDir)).toBe(0o700);
    expect(await mode(path.join(dataDir, "dynamodb"))).toBe(0o700);
    const executions = path.join(dataDir, "executions");
    expect(await mode(executions)).toBe(0o700);
    const files = await readdir(executions);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(await mode(path.join(executions, file))).toBe(0o600);
  });
});
