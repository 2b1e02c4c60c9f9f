import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Api, oneTo, sequencesOf } from "../support/api";
import { spawnAmelia } from "../support/process";

const dataDirs: string[] = [];
afterAll(() => Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function freshDataDir() {
  const dir = await mkdtemp(path.join(tmpdir(), "amelia-proc-"));
  dataDirs.push(dir);
  return dir;
}

// Each test starts the runtime as a process (tsx compiles it first) once or twice.
describe("the local runtime as a process", { timeout: 120_000 }, () => {
  it("keeps a workflow blocked at a gate across a restart, and it can still be approved", async () => {
    const dataDir = await freshDataDir();
    const first = await spawnAmelia({ AMELIA_DATA_DIR: dataDir });
    const api = new Api(first.url);
    const created = await api.create({ issueId: "RESTART-1", title: "Survive a restart" });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await api.waitForStatus(id, "blocked");
    expect(await first.stop("SIGTERM")).toBe(0);

    const second = await spawnAmelia({ AMELIA_DATA_DIR: dataDir });
    try {
      const again = new Api(second.url);
      expect((await again.get(id)).body).toMatchObject({ status: "blocked", gate: "plan" });
      expect((await again.approve(id)).status).toBe(200);
      await again.waitForStatus(id, "completed");
      const events = await again.events(id);
      expect(sequencesOf(events)).toEqual(oneTo(events.length));
    } finally {
      expect(await second.stop("SIGINT")).toBe(0);
    }
  });

  it("refuses to start on a port that is taken, with a clear message and a non-zero exit", async () => {
    const running = await spawnAmelia({ AMELIA_DATA_DIR: await freshDataDir() });
    try {
      const port = new URL(running.url).port;
      const refused = await spawnAmelia({
        AMELIA_DATA_DIR: await freshDataDir(),
        AMELIA_PORT: port,
      }).then(
        () => undefined,
        (error: { code: number; output: string }) => error,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.output).toContain(`Port ${port} is already in use`);
      expect(refused?.output).toContain("AMELIA_PORT");
      // The running one is unharmed.
      expect((await new Api(running.url).request("GET", "/api/health")).status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});
