import { WorkspaceError } from "../errors";

/** A path an agent may not use: absolute, climbing out, inside `.git`, or escaping via a symlink. */
export class PathOutsideWorkspaceError extends WorkspaceError {
  constructor(path: string, reason: string) {
    super(`Refused path ${JSON.stringify(path)}: ${reason}`, path);
    this.name = "PathOutsideWorkspaceError";
  }
}
