import { WorkspaceError } from "../errors";

/** A git command that exited with an error; `path` is the directory it ran in. */
export class GitError extends WorkspaceError {
  constructor(
    readonly args: readonly string[],
    cwd: string,
    readonly exitCode: number | string | undefined,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} failed in ${cwd}: ${stderr.trim() || `exit ${exitCode}`}`, cwd);
    this.name = "GitError";
  }
}
