import path from "node:path";
import { runGit } from "@amelia/core/workspace/git";

/** `https://…`, `ssh://…` or scp-like `git@host:org/repo`: passed on as written. */
const REMOTE_REPOSITORY = /^(?:[a-z][a-z0-9+.-]*:\/\/|[^@\s/]+@[^:\s/]+:)/i;

/**
 * The `repository` to start a workflow in: `--repo` (a local path made absolute, since the
 * server resolves paths against its own directory), nothing with `--no-repo`, and otherwise the
 * git work tree the command runs in, if any.
 */
export async function repositoryFor(
  option: string | boolean | undefined,
  cwd: string,
): Promise<string | undefined> {
  if (option === false) return undefined;
  if (typeof option === "string") {
    return REMOTE_REPOSITORY.test(option) ? option : path.resolve(cwd, option);
  }
  return gitWorkTree(cwd);
}

/** The top-level directory of the git work tree holding `cwd`, or undefined outside one. */
export async function gitWorkTree(cwd: string): Promise<string | undefined> {
  try {
    const root = (await runGit(cwd, ["rev-parse", "--show-toplevel"])).trim();
    return root || undefined;
  } catch {
    return undefined;
  }
}
