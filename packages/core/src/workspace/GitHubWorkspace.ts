import { WorkspaceError } from "../errors";
import type { GitHubRepository, TreeChange, TreeFile, TreeFiles } from "../github/GitHubRepository";
import { blobSha, EXECUTABLE_MODE, FILE_MODE, SUBMODULE_MODE, SYMLINK_MODE } from "./gitObjects";
import { PathOutsideWorkspaceError } from "./PathOutsideWorkspaceError";
import { normalizeWorkspacePath } from "./paths";
import { changedPaths, treeDiff } from "./treeDiff";
import { textOf } from "./textFiles";
import { applyFileChanges, type FileBytes, type FileChange, type Workspace } from "./Workspace";

/**
 * GitHub's API sends a blob whole (base64 in JSON), never a range of it: larger blobs are not
 * fetched for an agent's reads at all.
 */
const MAX_READ_BLOB_BYTES = 10 * 1024 * 1024;

/** Where a workspace starts: the branch's head commit, its tree and that tree's files. */
export interface BranchHead {
  commit: string;
  tree: string;
  files: TreeFiles;
}

/**
 * A workflow's work on a GitHub repository through the REST API, with no clone: the files are
 * the head commit's tree plus the changes made since, which live in memory until `commit`
 * writes them as one commit to the work-in-progress ref (outside `refs/heads`, so no `on: push`
 * workflow runs it). A later invocation reopens from the new head; the branch is only moved there
 * when the workflow completes.
 * Symlinks are listed and may be deleted, but are never followed: reading or writing through
 * one is refused, as its target cannot be checked without the disk the link points into.
 */
export class GitHubWorkspace implements Workspace {
  /** The files as they are now: the head's files with this invocation's changes applied. */
  private readonly files: TreeFiles;
  /** File contents by blob sha: fetched ones and written ones. */
  private readonly contents = new Map<string, Buffer>();
  private baseFiles: Promise<TreeFiles> | undefined;

  constructor(
    private readonly repository: GitHubRepository,
    /** The branch's web address, e.g. `https://github.com/owner/repo/tree/amelia/PROJ-7`. */
    readonly root: string,
    readonly branch: string,
    readonly baseCommit: string,
    /** The ref commits move, without `refs/`: the workflow's work in progress. */
    private readonly workRef: string,
    private head: BranchHead,
  ) {
    this.files = new Map(head.files);
  }

  async listFiles(): Promise<string[]> {
    return [...this.files]
      .filter(([, file]) => file.mode !== SUBMODULE_MODE)
      .map(([path]) => path)
      .sort();
  }

  async readFile(path: string): Promise<string> {
    return textOf(path, await this.readable(path));
  }

  async readBytes(path: string, position: number, length: number): Promise<FileBytes> {
    const file = this.lookup(path, "read");
    if (!file) throw fileError("read", path, "no such file");
    const known = this.contents.get(file.sha)?.length ?? file.size;
    const executable = file.mode === EXECUTABLE_MODE;
    if (length === 0 && known !== undefined) {
      return { bytes: Buffer.alloc(0), size: known, executable };
    }
    const content = await this.readable(path);
    return {
      bytes: content.subarray(position, Math.min(content.length, position + length)),
      size: content.length,
      executable,
    };
  }

  async writeFile(path: string, content: string): Promise<"created" | "modified"> {
    const existing = this.lookup(path, "write");
    const bytes = Buffer.from(content, "utf8");
    const sha = blobSha(bytes);
    this.contents.set(sha, bytes);
    this.files.set(normalizeWorkspacePath(path), {
      mode: existing?.mode ?? FILE_MODE,
      sha,
      size: bytes.length,
    });
    return existing ? "modified" : "created";
  }

  async deleteFile(path: string): Promise<boolean> {
    if (!this.lookup(path, "delete")) return false;
    this.files.delete(normalizeWorkspacePath(path));
    return true;
  }

  async diff(): Promise<string> {
    this.baseFiles ??= this.repository
      .treeOf(this.baseCommit)
      .then((tree) => this.repository.files(tree));
    return treeDiff(await this.baseFiles, this.files, (sha) => this.content(sha));
  }

  async commit(message: string): Promise<string | undefined> {
    const changes = this.uncommitted().map((change): TreeChange =>
      "deleted" in change
        ? {
            path: change.path,
            mode: this.head.files.get(change.path)?.mode ?? FILE_MODE,
            delete: true,
          }
        : { ...change, mode: this.files.get(change.path)?.mode ?? FILE_MODE },
    );
    if (changes.length === 0) return undefined;
    const tree = await this.repository.createTree(this.head.tree, changes);
    const commit = await this.repository.createCommit(message, tree, this.head.commit);
    await this.repository.moveRef(this.workRef, commit);
    this.head = { commit, tree, files: new Map(this.files) };
    return commit;
  }

  /** What `commit` would write: this invocation's changes, held in memory until then. */
  async pendingChanges(): Promise<FileChange[]> {
    return this.uncommitted();
  }

  applyChanges(changes: readonly FileChange[]): Promise<void> {
    return applyFileChanges(this, changes);
  }

  private uncommitted(): FileChange[] {
    return changedPaths(this.head.files, this.files).map((path): FileChange => {
      const file = this.files.get(path);
      if (!file) return { path, deleted: true };
      const content = this.contents.get(file.sha);
      // Only writes change a file, and every write keeps its content here.
      if (!content) throw new Error(`The content of ${path} is missing`);
      return { path, content: content.toString("utf8") };
    });
  }

  /**
   * The file at `path`, or undefined when there is none; refuses paths that leave the
   * workspace, go through a file or a symlink, or name a directory, symlink or submodule.
   */
  private lookup(path: string, action: "read" | "write" | "delete"): TreeFile | undefined {
    const normalized = normalizeWorkspacePath(path);
    const segments = normalized.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const ancestor = this.files.get(segments.slice(0, depth).join("/"));
      if (ancestor?.mode === SYMLINK_MODE) {
        throw new PathOutsideWorkspaceError(path, "it goes through a symlink");
      }
      if (ancestor) throw fileError(action, path, "a file stands where a directory is needed");
    }
    const file = this.files.get(normalized);
    if (!file && this.isDirectory(normalized)) throw fileError(action, path, "it is a directory");
    if (file?.mode === SUBMODULE_MODE) throw fileError(action, path, "it is a submodule");
    if (file?.mode === SYMLINK_MODE && action !== "delete") {
      throw fileError(action, path, "it is a symlink");
    }
    return file;
  }

  /** A file's content for an agent's read: refused, unfetched, when GitHub would send too much. */
  private async readable(path: string): Promise<Buffer> {
    const file = this.lookup(path, "read");
    if (!file) throw fileError("read", path, "no such file");
    if (!this.contents.has(file.sha) && (file.size ?? 0) > MAX_READ_BLOB_BYTES) {
      throw fileError(
        "read",
        path,
        `it has ${file.size} bytes, more than the ${MAX_READ_BLOB_BYTES} bytes read through GitHub's API`,
      );
    }
    return this.content(file.sha);
  }

  private isDirectory(path: string): boolean {
    const prefix = `${path}/`;
    for (const file of this.files.keys()) if (file.startsWith(prefix)) return true;
    return false;
  }

  private async content(sha: string): Promise<Buffer> {
    let content = this.contents.get(sha);
    if (!content) {
      content = await this.repository.blob(sha);
      this.contents.set(sha, content);
    }
    return content;
  }
}

function fileError(action: string, path: string, reason: string): WorkspaceError {
  return new WorkspaceError(`Could not ${action} ${path}: ${reason}`, path);
}
