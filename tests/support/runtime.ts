import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startLocalRuntime, type LocalRuntime } from "../../packages/local/src/LocalRuntime";
import { Api } from "./api";
import { FakeAnthropic, type FakeOptions } from "./fakeAnthropic";

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
