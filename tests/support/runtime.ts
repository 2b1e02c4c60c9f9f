import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startLocalRuntime, type LocalRuntime } from "../../packages/local/src/LocalRuntime";
import { Api } from "./api";
import { FakeAnthropic } from "./fakeAnthropic";

export interface TestRuntime extends LocalRuntime {
  dataDir: string;
  wsUrl: string;
  /** Stops the runtime and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * The whole local runtime in this test process, on a free port with a fresh data directory.
 * Retries wait 20 ms instead of seconds. One per test file: handlers cache their clients.
 */
export async function startTestRuntime(options: { apiToken?: string; dataDir?: string } = {}) {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), "amelia-test-")));
  const runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    retryIntervalMs: 20,
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
 * Starts a runtime for the test file (before its tests, with `env` set first: handlers read
 * their configuration once) and stops it after them. Use the fields inside tests.
 */
export function useTestRuntime(options: { apiToken?: string; env?: Record<string, string> } = {}) {
  const fixture = {} as RuntimeFixture;
  beforeAll(async () => {
    Object.assign(process.env, options.env);
    fixture.runtime = await startTestRuntime(options);
    fixture.api = new Api(fixture.runtime.url, options.apiToken);
  });
  afterAll(() => fixture.runtime.stop());
  return fixture;
}

/**
 * A fake Anthropic API for the test file (closed after it) and the runtime with the Claude agents
 * pointed at it: the key `test-key`, `ANTHROPIC_BASE_URL`, and the given settings.
 */
export async function useClaudeRuntime(settings: Record<string, string> = {}) {
  const fake = await FakeAnthropic.start();
  afterAll(() => fake.close());
  const fixture = useTestRuntime({
    env: { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: fake.url, ...settings },
  });
  return { fake, fixture };
}
