import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ExecutionStore,
  readExecutions,
  type ExecutionRecord,
} from "../../../../src/aws/stepfunctions/ExecutionStore";
import { tempDir } from "../../../support/tempDir";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir("executions");
});
afterEach(() => dir.remove());

function execution(name: string, changes: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:amelia:${name}`,
    name,
    input: "{}",
    status: "RUNNING",
    startDate: 1_700_000_000_000,
    ...changes,
  };
}

const journal = () => join(dir.path, "executions.jsonl");
const journalLines = () => readFileSync(journal(), "utf8").split("\n").filter(Boolean).length;

describe("the Step Functions emulator's execution store", () => {
  it("gives each execution's last record after a restart, the journal then one line each", () => {
    const store = new ExecutionStore(dir.path);
    expect(store.load()).toEqual([]);
    store.save(execution("a"));
    store.save(execution("b"));
    store.save(execution("a", { status: "SUCCEEDED", output: '{"done":true}' }));
    store.close();
    expect(journalLines()).toBe(3);
    expect(statSync(journal()).mode & 0o777).toBe(0o600);

    const restarted = new ExecutionStore(dir.path);
    expect(restarted.load()).toEqual([
      execution("a", { status: "SUCCEEDED", output: '{"done":true}' }),
      execution("b"),
    ]);
    expect(journalLines()).toBe(2);
    restarted.close();
  });

  it("ignores a last line that a crash cut short, and keeps the lines before it", () => {
    const store = new ExecutionStore(dir.path);
    store.load();
    store.save(execution("a"));
    store.close();
    appendFileSync(journal(), JSON.stringify(execution("a", { status: "FAILED" })).slice(0, 40));
    expect(readExecutions(dir.path)).toEqual([execution("a")]);
    expect(new ExecutionStore(dir.path).load()).toEqual([execution("a")]);
  });

  it("moves over the earlier versions' single file and file per execution, and removes them", () => {
    const legacyFile = join(dir.path, "..", `${dir.path.split("/").pop()}-legacy.json`);
    writeFileSync(legacyFile, JSON.stringify({ version: 1, executions: [execution("old")] }));
    writeFileSync(join(dir.path, "0a1b.json"), JSON.stringify(execution("previous")));
    const store = new ExecutionStore(dir.path, legacyFile);
    expect(store.load().map((record) => record.name)).toEqual(["old", "previous"]);
    expect(readdirSync(dir.path)).toEqual(["executions.jsonl"]);
    expect(() => statSync(legacyFile)).toThrow(/ENOENT/);
    store.close();
    expect(readExecutions(dir.path).map((record) => record.name)).toEqual(["old", "previous"]);
  });

  it("rewrites a journal that outdated lines fill, keeping every execution's last record", () => {
    const store = new ExecutionStore(dir.path);
    store.load();
    const big = "x".repeat(100_000);
    for (let save = 0; save < 60; save++) {
      store.save(execution(`e${save % 3}`, { input: JSON.stringify({ big, save }) }));
    }
    store.close();
    // 60 saves of 100 KB would be 6 MB; rewritten past 4 MiB, it holds far fewer lines.
    expect(statSync(journal()).size).toBeLessThan(4.5 * 1024 * 1024);
    expect(journalLines()).toBeLessThan(45);
    const saves = readExecutions(dir.path).map(
      (r) => (JSON.parse(r.input) as { save: number }).save,
    );
    expect(saves).toEqual([57, 58, 59]);
  });
});
