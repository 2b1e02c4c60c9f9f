import type { NewEvent } from "../events/types";
import { normalizeWorkspacePath } from "../workspace/paths";
import type { Workspace } from "../workspace/Workspace";

/**
 * Wraps the developer's workspace so every file change lands in the log as a `file_*` event,
 * whatever the driver does: drivers cannot forget to report a change.
 */
export class RecordingWorkspace implements Workspace {
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

  async writeFile(path: string, content: string): Promise<"created" | "modified"> {
    const change = await this.inner.writeFile(path, content);
    const normalized = normalizeWorkspacePath(path);
    await this.record({
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
      await this.record({
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

  commit(message: string): Promise<string | undefined> {
    return this.inner.commit(message);
  }
}
