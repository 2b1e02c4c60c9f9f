import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRecords, RecordJournal } from "../../../src/persistence/RecordJournal";
import { tempDir } from "../../support/tempDir";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir("journal");
});
afterEach(() => dir.remove());

interface Item {
  key: string;
  state: string;
  data?: string;
}
const keyOf = (item: Item) => item.key;
const journal = () => join(dir.path, "journal.jsonl");
const journalLines = () => readFileSync(journal(), "utf8").split("\n").filter(Boolean).length;

describe("an emulator's record journal", () => {
  it("gives each key's last record after a restart, the journal then one line each", () => {
    const store = new RecordJournal(dir.path, keyOf);
    expect(store.load()).toEqual([]);
    store.save({ key: "a", state: "running" });
    store.save({ key: "b", state: "running" });
    store.save({ key: "a", state: "done" });
    store.close();
    expect(journalLines()).toBe(3);
    expect(statSync(journal()).mode & 0o777).toBe(0o600);

    const restarted = new RecordJournal(dir.path, keyOf);
    expect(restarted.load()).toEqual([
      { key: "a", state: "done" },
      { key: "b", state: "running" },
    ]);
    expect(journalLines()).toBe(2);
    restarted.close();
  });

  it("ignores a last line that a crash cut short, and keeps the lines before it", () => {
    const store = new RecordJournal(dir.path, keyOf);
    store.load();
    store.save({ key: "a", state: "running" });
    store.close();
    appendFileSync(journal(), JSON.stringify({ key: "a", state: "failed" }).slice(0, 12));
    expect(readRecords(dir.path, keyOf)).toEqual([{ key: "a", state: "running" }]);
    expect(new RecordJournal(dir.path, keyOf).load()).toEqual([{ key: "a", state: "running" }]);
  });

  it("takes over the file per record that earlier versions wrote, and removes them", () => {
    writeFileSync(join(dir.path, "0a1b.json"), JSON.stringify({ key: "old", state: "done" }));
    const store = new RecordJournal(dir.path, keyOf);
    expect(store.load([{ key: "older", state: "done" }])).toEqual([
      { key: "older", state: "done" },
      { key: "old", state: "done" },
    ]);
    store.close();
    expect(readdirSync(dir.path)).toEqual(["journal.jsonl"]);
  });

  it("rewrites a journal that outdated lines fill, keeping every key's last record", () => {
    const store = new RecordJournal(dir.path, keyOf);
    store.load();
    const data = "x".repeat(100_000);
    for (let save = 0; save < 60; save++) {
      store.save({ key: `k${save % 3}`, state: String(save), data });
    }
    store.close();
    // 60 saves of 100 KB would be 6 MB; rewritten past 4 MiB, it holds far fewer lines.
    expect(statSync(journal()).size).toBeLessThan(4.5 * 1024 * 1024);
    expect(journalLines()).toBeLessThan(45);
    expect(readRecords(dir.path, keyOf).map((item) => item.state)).toEqual(["57", "58", "59"]);
  });
});
