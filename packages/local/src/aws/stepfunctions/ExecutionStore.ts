import { rmSync } from "node:fs";
import { readOptional, readRecords, RecordJournal } from "../../persistence/RecordJournal";

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

const arnOf = (record: ExecutionRecord) => record.executionArn;

/** Each execution's last saved record in a store's directory. */
export function readExecutions(directory: string): ExecutionRecord[] {
  return readRecords(directory, arnOf);
}

/** The Step Functions emulator's executions, in a journal: a state change writes one line. */
export class ExecutionStore {
  private readonly journal: RecordJournal<ExecutionRecord>;

  constructor(
    directory: string,
    /** Where an earlier version kept every execution in one file. */
    private readonly legacyFile?: string,
  ) {
    this.journal = new RecordJournal(directory, arnOf);
  }

  /** Every execution; those of an earlier version's single file are moved over. */
  load(): ExecutionRecord[] {
    const records = this.journal.load(this.loadLegacy());
    if (this.legacyFile !== undefined) rmSync(this.legacyFile, { force: true });
    return records;
  }

  save(record: ExecutionRecord): void {
    this.journal.save(record);
  }

  close(): void {
    this.journal.close();
  }

  private loadLegacy(): ExecutionRecord[] {
    if (this.legacyFile === undefined) return [];
    const text = readOptional(this.legacyFile);
    if (text === undefined) return [];
    const parsed = JSON.parse(text) as Partial<LegacyStateFile>;
    if (parsed.version !== 1 || !Array.isArray(parsed.executions)) {
      throw new Error(`${this.legacyFile} is not a Step Functions state file (version 1)`);
    }
    return parsed.executions;
  }
}
