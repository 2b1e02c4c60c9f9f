import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

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

interface StateFile {
  version: 1;
  executions: ExecutionRecord[];
}

/**
 * Executions persisted to one JSON file, rewritten whole and atomically (temp file + rename) so a
 * crash leaves either the old or the new file. Writes are synchronous: the file is small and it
 * keeps each write ordered with the state change that caused it.
 */
export class ExecutionStore {
  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }

  load(): ExecutionRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<StateFile>;
    if (parsed.version !== 1 || !Array.isArray(parsed.executions)) {
      throw new Error(`${this.file} is not a Step Functions state file (version 1)`);
    }
    return parsed.executions;
  }

  save(executions: Iterable<ExecutionRecord>): void {
    const content: StateFile = { version: 1, executions: [...executions] };
    const temp = `${this.file}.${process.pid}.tmp`;
    // Task tokens are in it: readable by this user only.
    writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
    renameSync(temp, this.file);
  }
}
