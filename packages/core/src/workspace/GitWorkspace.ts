import { constants } from "node:fs";
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  open,
  rm,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { WorkspaceError } from "../errors";
import { gitSucceeds, runGit, UNIFIED_DIFF_OPTIONS } from "./git";
import { resolveInside } from "./paths";
import { textOf } from "./textFiles";
import { applyFileChanges, type FileBytes, type FileChange, type Workspace } from "./Workspace";

/** A workspace on a local git work tree (a worktree or a scratch repository). */
export class GitWorkspace implements Workspace {
  /** `root` must already be a realpath: confinement compares real paths. */
  constructor(
    readonly root: string,
    readonly branch: string,
    readonly baseCommit: string,
  ) {}

  /**
   * The file list, listed once per workspace object (one stage's invocation) and forgotten after
   * each of its own writes and deletes: nothing else changes its work tree meanwhile (the checks
   * run on a snapshot), and an agent's tools list it again and again.
   */
  private readonly fileList = new Memo(() => this.presentFiles());
  /** Where this work tree's index is (a worktree's is under the main repository's .git). */
  private readonly realIndex = new Memo(async () =>
    resolve(this.root, (await runGit(this.root, ["rev-parse", "--git-path", "index"])).trim()),
  );

  async listFiles(): Promise<string[]> {
    return [...(await this.fileList.get())];
  }

  private async presentFiles(): Promise<string[]> {
    const output = await runGit(this.root, [
      "ls-files",
      "-z",
      "--cached",
      "--others",
      "--exclude-standard",
    ]);
    const listed = [...new Set(output.split("\0").filter((path) => path !== ""))];
    // The index still lists files deleted but not yet committed; submodules are directories.
    const present = await Promise.all(
      listed.map(async (path) => {
        const stats = await lstat(join(this.root, path)).catch(() => undefined);
        return stats && (stats.isFile() || stats.isSymbolicLink()) ? path : undefined;
      }),
    );
    return present.filter((path): path is string => path !== undefined).sort();
  }

  async readFile(path: string): Promise<string> {
    const { bytes } = await this.readBytes(path, 0, Number.MAX_SAFE_INTEGER);
    return textOf(path, bytes);
  }

  async readBytes(path: string, position: number, length: number): Promise<FileBytes> {
    const target = await resolveInside(this.root, path);
    try {
      // The target is already resolved; refuse a symlink swapped in since then.
      const file = await open(target, constants.O_RDONLY | nofollow());
      try {
        const stats = await file.stat();
        if (stats.isDirectory()) throw Object.assign(new Error("EISDIR"), { code: "EISDIR" });
        const wanted = Math.max(0, Math.min(length, stats.size - position));
        const bytes = Buffer.alloc(wanted);
        let read = 0;
        while (read < wanted) {
          const { bytesRead } = await file.read(bytes, read, wanted - read, position + read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        const executable = (stats.mode & 0o111) !== 0;
        return { bytes: bytes.subarray(0, read), size: stats.size, executable };
      } finally {
        await file.close();
      }
    } catch (error) {
      throw this.fileError("read", path, error);
    }
  }

  async writeFile(path: string, content: string): Promise<"created" | "modified"> {
    const target = await resolveInside(this.root, path);
    const existed = await stat(target).then(
      () => true,
      () => false,
    );
    try {
      await mkdir(dirname(target), { recursive: true });
      // The target is already resolved; refuse a symlink swapped in since then.
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | nofollow();
      await writeFile(target, content, { flag: flags });
    } catch (error) {
      throw this.fileError("write", path, error);
    } finally {
      this.fileList.forget();
    }
    return existed ? "modified" : "created";
  }

  async deleteFile(path: string): Promise<boolean> {
    const target = await resolveInside(this.root, path);
    try {
      await unlink(target);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw this.fileError("delete", path, error);
    } finally {
      this.fileList.forget();
    }
  }

  async diff(): Promise<string> {
    // Stage everything into a throw-away index, so untracked files show up in the diff without
    // touching the real one; starting from a copy of the real one saves re-hashing every file.
    const scratch = await mkdtemp(join(tmpdir(), "amelia-index-"));
    try {
      const index = join(scratch, "index");
      await copyFile(await this.realIndex.get(), index).catch(() => undefined);
      const env = { GIT_INDEX_FILE: index };
      await runGit(this.root, ["add", "-A"], { env });
      return await runGit(
        this.root,
        ["diff", "--cached", ...UNIFIED_DIFF_OPTIONS, this.baseCommit, "--"],
        { env },
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async commit(message: string): Promise<string | undefined> {
    await runGit(this.root, ["add", "-A"]);
    if (await gitSucceeds(this.root, ["diff", "--cached", "--quiet"])) return undefined;
    await runGit(this.root, ["commit", "--quiet", "-m", message]);
    return (await runGit(this.root, ["rev-parse", "HEAD"])).trim();
  }

  /** Every write reaches the work tree at once: nothing waits in memory. */
  async pendingChanges(): Promise<FileChange[]> {
    return [];
  }

  applyChanges(changes: readonly FileChange[]): Promise<void> {
    return applyFileChanges(this, changes);
  }

  private fileError(action: string, path: string, error: unknown): WorkspaceError {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    const reason = FILE_ERROR_REASONS[code] ?? (code || String(error));
    return new WorkspaceError(`Could not ${action} ${path}: ${reason}`, path);
  }
}

/** A value looked up once and kept, unless the look-up failed (then it is tried again). */
class Memo<T> {
  private value: Promise<T> | undefined;

  constructor(private readonly lookUp: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.value) return this.value;
    const value = this.lookUp();
    this.value = value;
    value.catch(() => {
      if (this.value === value) this.value = undefined;
    });
    return value;
  }

  forget(): void {
    this.value = undefined;
  }
}

/** Plain words for the errors an agent can cause, so a model can act on the message. */
const FILE_ERROR_REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  ENOTDIR: "a file stands where a directory is needed",
  EEXIST: "a file stands where a directory is needed",
  ELOOP: "it is a symlink",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
};

/** O_NOFOLLOW where the platform has it (not on Windows). */
function nofollow(): number {
  return (constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0;
}
