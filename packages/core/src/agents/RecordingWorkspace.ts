import type { NewEvent } from "../events/types";
import { normalizeWorkspacePath } from "../workspace/paths";
import type { FileBytes, FileChange, Workspace } from "../workspace/Workspace";

/**
 * Wraps the developer's workspace so every file change lands in the log as a `file_*` event,
 * whatever the driver does: drivers cannot forget to report a change. The events wait until the
 * change is safe (committed, or saved with the conversation: `recordChanges`), so the log never
 * names a write that a failed invocation lost.
 */
export class RecordingWorkspace implements Workspace {
  private unrecorded: NewEvent[] = [];

  constructor(
    private readonly inner: Workspace,
    private readonly record: (event: NewEvent) => Promise<void>,
  ) {}

  get root(): string {
    return this.inner.root;
  }

  get branch(): string {
    return this.inner.branch;
  }

  get baseCommit(): string {
    return this.inner.baseCommit;
  }

  listFiles(): Promise<string[]> {
    return this.inner.listFiles();
  }

  readFile(path: string): Promise<string> {
    return this.inner.readFile(path);
  }

  readBytes(path: string, position: number, length: number): Promise<FileBytes> {
    return this.inner.readBytes(path, position, length);
  }

  async writeFile(path: string, content: string): Promise<"created" | "modified"> {
    const change = await this.inner.writeFile(path, content);
    const normalized = normalizeWorkspacePath(path);
    this.unrecorded.push({
      type: change === "created" ? "file_created" : "file_modified",
      agent: "developer",
      level: "info",
      message: `${change === "created" ? "Created" : "Modified"} ${normalized}`,
      data: { path: normalized },
    });
    return change;
  }

  async deleteFile(path: string): Promise<boolean> {
    const deleted = await this.inner.deleteFile(path);
    if (deleted) {
      const normalized = normalizeWorkspacePath(path);
      this.unrecorded.push({
        type: "file_deleted",
        agent: "developer",
        level: "info",
        message: `Deleted ${normalized}`,
        data: { path: normalized },
      });
    }
    return deleted;
  }

  diff(): Promise<string> {
    return this.inner.diff();
  }

  async commit(message: string): Promise<string | undefined> {
    const commit = await this.inner.commit(message);
    await this.recordChanges();
    return commit;
  }

  pendingChanges(): Promise<FileChange[]> {
    return this.inner.pendingChanges();
  }

  /** Changes an earlier invocation saved: their events are in the log already. */
  applyChanges(changes: readonly FileChange[]): Promise<void> {
    return this.inner.applyChanges(changes);
  }

  /** Records the events of the changes made so far, once they are safe. */
  async recordChanges(): Promise<void> {
    while (this.unrecorded.length > 0) {
      await this.record(this.unrecorded[0] as NewEvent);
      this.unrecorded.shift();
    }
  }
}
