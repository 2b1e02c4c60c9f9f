import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readApiToken } from "../../src/auth/apiToken";
import { readSecret, SECRET_CACHE_SECONDS } from "../../src/secrets";

/**
 * Secrets Manager and SSM at their JSON wire protocol, as far as the secret readers use them:
 * the real SDK clients (through Powertools) talk to this server via AWS_ENDPOINT_URL_*.
 */
const secrets = new Map<string, string>();
const parameters = new Map<string, string>();
const calls: string[] = [];
let server: Server;

function answer(target: string, input: Record<string, unknown>): [number, object] {
  if (target === "secretsmanager.GetSecretValue") {
    const value = secrets.get(String(input.SecretId));
    return value === undefined
      ? [400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find it" }]
      : [200, { ARN: input.SecretId, Name: "token", SecretString: value }];
  }
  if (target === "AmazonSSM.GetParameter") {
    if (input.WithDecryption !== true) return [400, { __type: "ValidationException" }];
    const value = parameters.get(String(input.Name));
    return value === undefined
      ? [400, { __type: "ParameterNotFound", message: "" }]
      : [200, { Parameter: { Name: input.Name, Type: "SecureString", Value: value, Version: 1 } }];
  }
  return [400, { __type: "UnknownOperationException" }];
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"]);
      calls.push(target);
      const [status, body] = answer(target, JSON.parse(Buffer.concat(chunks).toString() || "{}"));
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_ENDPOINT_URL_SSM: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  calls.length = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

/** Only the clock the caches read is faked: the SDK's own timers keep running. */
function fakeClock(): { advanceSeconds: (seconds: number) => void } {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-12-01T09:00:00Z") });
  return { advanceSeconds: (seconds) => vi.setSystemTime(Date.now() + seconds * 1000) };
}

describe("the API token", () => {
  it("is read from Secrets Manager when a secret is named, and then served from the cache", async () => {
    secrets.set("arn:aws:secretsmanager:us-east-1:1:secret:token", "s3cret-token");
    const env = { AMELIA_API_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:token" };
    expect(await readApiToken(env)).toBe("s3cret-token");
    expect(await readApiToken(env)).toBe("s3cret-token");
    expect(calls).toEqual(["secretsmanager.GetSecretValue"]);
  });

  it("once rotated, is picked up after SECRET_CACHE_SECONDS, and served from memory until then", async () => {
    const clock = fakeClock();
    const secretId = "arn:aws:secretsmanager:us-east-1:1:secret:rotated";
    const env = { AMELIA_API_TOKEN_SECRET_ARN: secretId };
    secrets.set(secretId, "token-before");
    expect(await readApiToken(env)).toBe("token-before");
    secrets.set(secretId, "token-after");
    clock.advanceSeconds(SECRET_CACHE_SECONDS - 1);
    expect(await readApiToken(env)).toBe("token-before");
    expect(calls).toEqual(["secretsmanager.GetSecretValue"]);
    clock.advanceSeconds(2);
    expect(await readApiToken(env)).toBe("token-after");
    expect(calls).toEqual(["secretsmanager.GetSecretValue", "secretsmanager.GetSecretValue"]);
  });

  it("is AMELIA_API_TOKEN itself on a laptop, and undefined when neither is set", async () => {
    expect(await readApiToken({ AMELIA_API_TOKEN: "local-token" })).toBe("local-token");
    expect(await readApiToken({ AMELIA_API_TOKEN: "" })).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it("fails loudly when the named secret does not exist", async () => {
    await expect(
      readApiToken({
        AMELIA_API_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:gone",
      }),
    ).rejects.toMatchObject({
      name: "GetParameterError",
      message: "Secrets Manager can't find it",
      cause: { name: "ResourceNotFoundException" },
    });
  });
});

describe("the agents' secrets", () => {
  it("come from the SSM SecureString an SST secret is, decrypted", async () => {
    parameters.set("/sst/amelia/prod/Secret/ANTHROPIC_API_KEY/value", "sk-ant-test");
    const env = {
      AMELIA_ANTHROPIC_API_KEY_PARAMETER: "/sst/amelia/prod/Secret/ANTHROPIC_API_KEY/value",
      ANTHROPIC_API_KEY: "ignored when a parameter is named",
    };
    expect(await readSecret("anthropicApiKey", env)).toBe("sk-ant-test");
    expect(calls).toEqual(["AmazonSSM.GetParameter"]);
  });

  it("are cached for SECRET_CACHE_SECONDS, then read again (a rotated key is picked up)", async () => {
    const clock = fakeClock();
    const name = "/sst/amelia/rotation/Secret/GITHUB_TOKEN/value";
    const env = { AMELIA_GITHUB_TOKEN_PARAMETER: name };
    parameters.set(name, "ghp_before");
    expect(await readSecret("githubToken", env)).toBe("ghp_before");
    parameters.set(name, "ghp_after");
    clock.advanceSeconds(SECRET_CACHE_SECONDS - 1);
    expect(await readSecret("githubToken", env)).toBe("ghp_before");
    expect(calls).toEqual(["AmazonSSM.GetParameter"]);
    clock.advanceSeconds(2);
    expect(await readSecret("githubToken", env)).toBe("ghp_after");
    expect(calls).toEqual(["AmazonSSM.GetParameter", "AmazonSSM.GetParameter"]);
  });

  it("are not configured (undefined) while the person has not set the SST secret", async () => {
    const env = { AMELIA_GITHUB_TOKEN_PARAMETER: "/sst/amelia/prod/Secret/GITHUB_TOKEN/value" };
    expect(await readSecret("githubToken", env)).toBeUndefined();
  });

  it("fall back to the environment on a laptop", async () => {
    expect(await readSecret("githubToken", { GITHUB_TOKEN: "ghp_local" })).toBe("ghp_local");
    expect(await readSecret("anthropicApiKey", {})).toBeUndefined();
    expect(calls).toEqual([]);
  });
});
