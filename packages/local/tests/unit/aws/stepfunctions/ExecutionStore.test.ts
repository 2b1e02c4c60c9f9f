import { readdirSync, statSync, writeFileSync } from "node:fs";
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

function execution(name: string): ExecutionRecord {
  return {
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:amelia:${name}`,
    name,
    input: "{}",
    status: "RUNNING",
    startDate: 1_700_000_000_000,
  };
}

describe("the Step Functions emulator's execution store", () => {
  it("moves over the earlier versions' single file and file per execution, and removes them", () => {
    const legacyFile = join(dir.path, "..", `${dir.path.split("/").pop()}-legacy.json`);
    writeFileSync(legacyFile, JSON.stringify({ version: 1, executions: [execution("old")] }));
    writeFileSync(join(dir.path, "0a1b.json"), JSON.stringify(execution("previous")));
    const store = new ExecutionStore(dir.path, legacyFile);
    expect(store.load().map((record) => record.name)).toEqual(["old", "previous"]);
    expect(readdirSync(dir.path)).toEqual(["journal.jsonl"]);
    expect(() => statSync(legacyFile)).toThrow(/ENOENT/);
    store.close();
    expect(readExecutions(dir.path).map((record) => record.name)).toEqual(["old", "previous"]);
  });
});
