import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
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

/** The journal: one JSON line per saved record, the last line of an execution its state. */
const JOURNAL = "executions.jsonl";
/** Past this size, with most of its lines outdated, the journal is rewritten at its next save. */
const COMPACT_BYTES = 4 * 1024 * 1024;

/**
 * Each execution's last saved record, from a store's directory: the journal, after the one file
 * per execution that the previous version wrote. A last line cut short by a crash in the middle
 * of its write is not a record.
 */
export function readExecutions(directory: string): ExecutionRecord[] {
  const records = new Map<string, ExecutionRecord>();
  const keep = (record: ExecutionRecord) => records.set(record.executionArn, record);
  for (const name of readdirSync(directory)) {
    if (name.endsWith(".json")) keep(JSON.parse(readFileSync(join(directory, name), "utf8")));
  }
  const lines = (readOptional(join(directory, JOURNAL)) ?? "").split("\n");
  // The text after the last newline is a write that never finished.
  lines.pop();
  for (const line of lines) keep(JSON.parse(line) as ExecutionRecord);
  return [...records.values()];
}

/**
 * Executions persisted as a journal, `<directory>/executions.jsonl`: a change appends its
 * execution's record as one line in one write, however many executions there are, instead of
 * creating and renaming a file (three file-system calls that cost more than the write). The
 * journal is rewritten with one line per execution when it loads, and when outdated lines fill
 * it. Writes are synchronous: a record is small, and it keeps each write ordered with the state
 * change (and the answer) that caused it.
 */
export class ExecutionStore {
  private journal: number | undefined;
  private journalBytes = 0;
  /** Each execution's last line, for a rewrite. */
  private readonly latest = new Map<string, string>();
  private latestBytes = 0;

  constructor(
    private readonly directory: string,
    /** Where an earlier version kept every execution in one file. */
    private readonly legacyFile?: string,
  ) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  /** Reads every execution, then rewrites the journal with each one's last record. */
  load(): ExecutionRecord[] {
    const records = new Map<string, ExecutionRecord>();
    for (const record of [...this.loadLegacy(), ...readExecutions(this.directory)]) {
      records.set(record.executionArn, record);
    }
    for (const record of records.values()) this.remember(record);
    this.rewrite();
    for (const name of readdirSync(this.directory)) {
      if (name.endsWith(".json")) rmSync(join(this.directory, name));
    }
    if (this.legacyFile !== undefined) rmSync(this.legacyFile, { force: true });
    return [...records.values()];
  }

  save(record: ExecutionRecord): void {
    const line = this.remember(record);
    if (this.journal === undefined) this.rewrite();
    else if (this.journalBytes > COMPACT_BYTES && this.journalBytes > 2 * this.latestBytes) {
      this.rewrite();
    } else {
      this.append(this.journal, Buffer.from(line));
    }
  }

  close(): void {
    if (this.journal !== undefined) closeSync(this.journal);
    this.journal = undefined;
  }

  private append(journal: number, bytes: Buffer): void {
    let written = 0;
    while (written < bytes.length) written += writeSync(journal, bytes, written);
    this.journalBytes += written;
  }

  private remember(record: ExecutionRecord): string {
    const line = `${JSON.stringify(record)}\n`;
    const bytes = Buffer.byteLength(line);
    this.latestBytes += bytes - Buffer.byteLength(this.latest.get(record.executionArn) ?? "");
    this.latest.set(record.executionArn, line);
    return line;
  }

  /** Writes a new journal of each execution's last record, atomically (temp file + rename). */
  private rewrite(): void {
    const file = join(this.directory, JOURNAL);
    const temp = `${file}.${process.pid}.tmp`;
    const text = [...this.latest.values()].join("");
    // Task tokens are in it: readable by this user only.
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
    this.close();
    this.journal = openSync(file, "a", 0o600);
    this.journalBytes = Buffer.byteLength(text);
  }

  /** The executions of an earlier version's single file. */
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

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
