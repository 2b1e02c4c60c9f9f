import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startLocalRuntime, type LocalRuntime } from "../../packages/local/src/LocalRuntime";
import { Api } from "./api";
import { FakeAnthropic } from "./fakeAnthropic";
import type { FakeOptions } from "./fakeMessages";
import { FakeBedrock } from "./fakeBedrock";
import { FakeGitHub } from "./fakeGitHub";

export interface TestRuntime extends LocalRuntime {
  dataDir: string;
  wsUrl: string;
  /** Stops the runtime and removes its data directory. */
  stop(): Promise<void>;
}

export interface TestRuntimeOptions {
  apiToken?: string;
  dataDir?: string;
  /** Settings for the functions, over this process's environment. */
  env?: Record<string, string>;
  allowedOrigins?: string[];
}

/**
 * The whole local runtime, on a free port with a fresh data directory; its functions run in a
 * worker thread of their own, so runtimes can run side by side. Retries wait 20 ms, not seconds.
 */
export async function startTestRuntime(options: TestRuntimeOptions = {}) {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "amelia-test-")));
  const runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    retryIntervalMs: 20,
    environment: { ...process.env, ...options.env },
    ...(options.allowedOrigins && { allowedOrigins: options.allowedOrigins }),
    ...(options.apiToken !== undefined && { apiToken: options.apiToken }),
  });
  return {
    ...runtime,
    dataDir,
    wsUrl: `${runtime.url.replace("http", "ws")}/ws`,
    async stop() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  } satisfies TestRuntime;
}

export interface RuntimeFixture {
  runtime: TestRuntime;
  api: Api;
}

/**
 * Starts a runtime for the test file (before its tests) and stops it after them. Use the fields
 * inside tests. `callsCore`: the test also calls packages/core itself, in this process, which
 * then gets the functions' environment (the runtime's endpoints and credentials).
 */
export function useTestRuntime(
  options: Omit<TestRuntimeOptions, "dataDir"> & { callsCore?: boolean } = {},
) {
  const fixture = {} as RuntimeFixture;
  beforeAll(async () => {
    fixture.runtime = await startTestRuntime(options);
    if (options.callsCore) Object.assign(process.env, fixture.runtime.environment);
    fixture.api = new Api(fixture.runtime.url, options.apiToken);
  });
  afterAll(() => fixture.runtime.stop());
  return fixture;
}

/**
 * A fake GitHub for the test file, which the runtime's handlers reach (`GITHUB_TOKEN`,
 * `AMELIA_GITHUB_API_URL`). Call it before `useTestRuntime`: its hook runs first, so the
 * runtime's functions start with that configuration.
 */
export function useFakeGitHub(): { github: FakeGitHub } {
  const fake = {} as { github: FakeGitHub };
  beforeAll(async () => {
    fake.github = await FakeGitHub.start();
    process.env.GITHUB_TOKEN = fake.github.token;
    process.env.AMELIA_GITHUB_API_URL = fake.github.url;
  });
  afterAll(async () => {
    delete process.env.GITHUB_TOKEN;
    delete process.env.AMELIA_GITHUB_API_URL;
    await fake.github.close();
  });
  return fake;
}

/**
 * A fake Anthropic API for the test file (closed after it) and the runtime with the Claude agents
 * pointed at it: the key `test-key`, `ANTHROPIC_BASE_URL`, and the given settings.
 */
export async function useClaudeRuntime(
  settings: Record<string, string> = {},
  fakeOptions: FakeOptions = {},
) {
  const fake = await FakeAnthropic.start(fakeOptions);
  afterAll(() => fake.close());
  const fixture = useTestRuntime({
    env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: fake.url, ...settings },
  });
  return { fake, fixture };
}

/** The AWS identity of a person's shell in the Bedrock tests: the fake accepts it alone. */
export const BEDROCK_TEST_IDENTITY = {
  region: "eu-west-1",
  credentials: {
    accessKeyId: "AKIABEDROCKTEST0001",
    secretAccessKey: "bedrock-test-secret-access-key",
    sessionToken: "bedrock-test-session-token",
  },
};

/**
 * A fake Bedrock Runtime for the test file (closed after it) and the runtime with the Claude
 * agents on Bedrock pointed at it: `AMELIA_LLM_PROVIDER=bedrock`,
 * `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, the test's AWS keys and region as a person's shell holds
 * them (the runtime hands them to its functions), and the given settings.
 */
export async function useBedrockRuntime(settings: Record<string, string> = {}) {
  const { region, credentials } = BEDROCK_TEST_IDENTITY;
  const fake = await FakeBedrock.start({ region, credentials });
  afterAll(() => fake.close());
  const fixture = useTestRuntime({
    env: {
      AMELIA_LLM_PROVIDER: "bedrock",
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      ...settings,
    },
  });
  return { fake, fixture };
}
