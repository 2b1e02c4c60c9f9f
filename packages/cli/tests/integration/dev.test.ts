import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, spawnCli, type CliProcess } from "../support/cli";

const dataDirs: string[] = [];
let dev: CliProcess | undefined;

afterEach(async () => {
  // A failed test may leave the runtime up: stop it the way a person would.
  if (dev?.child.exitCode === null) {
    dev.child.kill("SIGTERM");
    await dev.exited;
  }
  dev = undefined;
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** `amelia dev` on a free port with a fresh data directory; resolves once it serves. */
async function startDev(): Promise<{ url: string; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "amelia-dev-"));
  dataDirs.push(dataDir);
  dev = spawnCli(["dev", "--port", "0", "--data-dir", dataDir]);
  const running = /Amelia is running at (http:\/\/\S+)/;
  await dev.waitForOutput((stdout) => running.test(stdout), 60_000);
  return { url: running.exec(dev.stdout)![1]!, dataDir };
}

describe("amelia dev", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "runs the local runtime of npm start; %s is forwarded, it stops, and its exit code is amelia's",
    async (signal) => {
      const { url, dataDir } = await startDev();
      expect(dev!.stdout).toContain(`(data: ${dataDir})`);
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      const status = await runCli(["status"], { env: { AMELIA_API_URL: url } });
      expect(status).toMatchObject({ code: 0, stdout: "No active workflows.\n" });

      dev!.child.kill(signal);
      const { code, stdout } = await dev!.exited;
      expect(code).toBe(0);
      expect(stdout).toContain(`${signal}: stopping`);
      await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    },
  );

  it("exits with the runtime's own exit code when it refuses to start", async () => {
    const { code, stderr } = await runCli(["dev", "--port", "not-a-port"]);
    expect(code).toBe(2);
    expect(stderr).toContain('AMELIA_PORT must be a port number, not "not-a-port"');
  });
});
