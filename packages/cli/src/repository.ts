import path from "node:path";
import { isGitHubRepository } from "@amelia/core/github/repositoryName";
import { runGit } from "@amelia/core/workspace/git";

/** `https://…`, `ssh://…` or scp-like `git@host:org/repo`: passed on as written. */
const REMOTE_REPOSITORY = /^(?:[a-z][a-z0-9+.-]*:\/\/|[^@\s/]+@[^:\s/]+:)/i;

/**
 * The `repository` to start a workflow in: `--repo` (a GitHub `owner/name` or a remote URL as
 * written, a local path made absolute since the server resolves paths against its own
 * directory; a local directory shaped like `owner/name` is written `./owner/name`), nothing with
 * `--no-repo`, and otherwise the git work tree the command runs in, if any.
 */
export async function repositoryFor(
  option: string | boolean | undefined,
  cwd: string,
): Promise<string | undefined> {
  if (option === false) return undefined;
  if (typeof option === "string") {
    if (REMOTE_REPOSITORY.test(option) || isGitHubRepository(option)) return option;
    return path.resolve(cwd, option);
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
