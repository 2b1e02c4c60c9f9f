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

/** The journal: one JSON line per saved record, a key's last line its record. */
const JOURNAL = "journal.jsonl";
/** Past this size, with most of its lines outdated, the journal is rewritten at its next save. */
const COMPACT_BYTES = 4 * 1024 * 1024;

/**
 * Each key's last saved record in a journal's directory: the journal, after the one file per
 * record that earlier versions wrote there. A last line cut short by a crash in the middle of its
 * write is not a record.
 */
export function readRecords<T>(directory: string, keyOf: (record: T) => string): T[] {
  const records = new Map<string, T>();
  const keep = (record: T) => records.set(keyOf(record), record);
  for (const name of readdirSync(directory)) {
    if (name.endsWith(".json")) keep(JSON.parse(readFileSync(join(directory, name), "utf8")) as T);
  }
  const lines = (readOptional(join(directory, JOURNAL)) ?? "").split("\n");
  // The text after the last newline is a write that never finished.
  lines.pop();
  for (const line of lines) keep(JSON.parse(line) as T);
  return [...records.values()];
}

/**
 * An emulator's records (executions, builds), persisted as a journal: a change appends its
 * record as one line in one write, instead of creating and renaming a file (file-system calls
 * that cost more than the write). The journal is rewritten with one line per record when it
 * loads, and when outdated lines fill it. Writes are synchronous: a record is small, and each
 * write stays ordered with the change (and the answer) that caused it. Readable by this user
 * only: task tokens are in it.
 */
export class RecordJournal<T> {
  private journal: number | undefined;
  private journalBytes = 0;
  /** Each key's last line, for a rewrite. */
  private readonly latest = new Map<string, string>();
  private latestBytes = 0;

  constructor(
    private readonly directory: string,
    private readonly keyOf: (record: T) => string,
  ) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
  }

  /**
   * Reads every record (`earlier` first: those of an older format, which the directory's own
   * supersede), then rewrites the journal with each key's last one and removes older files.
   */
  load(earlier: readonly T[] = []): T[] {
    const records = new Map<string, T>();
    for (const record of [...earlier, ...readRecords(this.directory, this.keyOf)]) {
      records.set(this.keyOf(record), record);
    }
    for (const record of records.values()) this.remember(record);
    this.rewrite();
    for (const name of readdirSync(this.directory)) {
      if (name.endsWith(".json")) rmSync(join(this.directory, name));
    }
    return [...records.values()];
  }

  save(record: T): void {
    const line = this.remember(record);
    if (
      this.journal === undefined ||
      (this.journalBytes > COMPACT_BYTES && this.journalBytes > 2 * this.latestBytes)
    ) {
      this.rewrite();
      return;
    }
    const bytes = Buffer.from(line);
    let written = 0;
    while (written < bytes.length) written += writeSync(this.journal, bytes, written);
    this.journalBytes += written;
  }

  close(): void {
    if (this.journal !== undefined) closeSync(this.journal);
    this.journal = undefined;
  }

  private remember(record: T): string {
    const key = this.keyOf(record);
    const line = `${JSON.stringify(record)}\n`;
    this.latestBytes += Buffer.byteLength(line) - Buffer.byteLength(this.latest.get(key) ?? "");
    this.latest.set(key, line);
    return line;
  }

  /** Writes a new journal of each key's last record, atomically (temp file + rename). */
  private rewrite(): void {
    const file = join(this.directory, JOURNAL);
    const temp = `${file}.${process.pid}.tmp`;
    const text = [...this.latest.values()].join("");
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
    this.close();
    this.journal = openSync(file, "a", 0o600);
    this.journalBytes = Buffer.byteLength(text);
  }
}

export function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
