import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT";

/**
 * Where an execution is: the top-level state it is in (or, once it failed, the state it failed
 * in, which a redrive reruns) and that state's raw input.
 */
export interface ExecutionPosition {
  state: string;
  input: unknown;
}

/** A top-level waitForTaskToken state waiting for SendTaskSuccess/Failure. */
export interface PendingWait {
  state: string;
  token: string;
  /** Epoch ms after which the wait times out (States.Timeout). */
  deadline: number;
  /**
   * Whether the function received the token; if not, a resumed run invokes it (same token). A
   * restart clears it: the function then gets the token again (see `restore()`).
   */
  invoked: boolean;
  /** Set by SendTaskSuccess/Failure: a run resumed before the next state delivers it again. */
  outcome?: { output: string } | { error: string; cause: string };
}

/** One execution as persisted: enough to describe it, and to resume it if RUNNING. */
export interface ExecutionRecord {
  executionArn: string;
  name: string;
  /** Execution input as the JSON string StartExecution received. */
  input: string;
  status: ExecutionStatus;
  /** Epoch ms. */
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Times RedriveExecution restarted it, and when last (epoch ms). */
  redriveCount?: number;
  redriveDate?: number;
  position?: ExecutionPosition;
  wait?: PendingWait;
}

/** The single file of every execution that earlier versions kept, read once and moved over. */
interface LegacyStateFile {
  version: 1;
  executions: ExecutionRecord[];
}

/**
 * Executions persisted one JSON file each, `<directory>/<sha1 of the ARN>.json`, rewritten whole
 * and atomically (temp file + rename) so a crash leaves either the old or the new record. A
 * change writes only its own execution's record, however many executions there are. Writes are
 * synchronous: a record is small, and it keeps each write ordered with the state change (and
 * the answer) that caused it.
 */
export class ExecutionStore {
  constructor(
    private readonly directory: string,
    /** Where an earlier version kept every execution in one file. */
    private readonly legacyFile?: string,
  ) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  load(): ExecutionRecord[] {
    const records = new Map<string, ExecutionRecord>();
    for (const record of this.loadLegacy()) records.set(record.executionArn, record);
    for (const name of readdirSync(this.directory)) {
      if (!name.endsWith(".json")) continue;
      const record = JSON.parse(
        readFileSync(join(this.directory, name), "utf8"),
      ) as ExecutionRecord;
      records.set(record.executionArn, record);
    }
    return [...records.values()];
  }

  save(record: ExecutionRecord): void {
    const file = join(
      this.directory,
      `${createHash("sha1").update(record.executionArn).digest("hex")}.json`,
    );
    const temp = `${file}.${process.pid}.tmp`;
    // Task tokens are in it: readable by this user only.
    writeFileSync(temp, JSON.stringify(record), { mode: 0o600 });
    renameSync(temp, file);
  }

  /** Moves the executions of an earlier version's single file into records of their own. */
  private loadLegacy(): ExecutionRecord[] {
    if (this.legacyFile === undefined) return [];
    let text: string;
    try {
      text = readFileSync(this.legacyFile, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<LegacyStateFile>;
    if (parsed.version !== 1 || !Array.isArray(parsed.executions)) {
      throw new Error(`${this.legacyFile} is not a Step Functions state file (version 1)`);
    }
    for (const record of parsed.executions) this.save(record);
    rmSync(this.legacyFile);
    return parsed.executions;
  }
}
