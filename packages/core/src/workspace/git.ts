import { execFile } from "node:child_process";
import { GitError } from "./GitError";

/** Variables that would point git at another repository, index or identity than the one asked. */
const INHERITED_GIT_VARIABLES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_PREFIX",
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
];

/**
 * Fixed settings for every call: a commit works on a machine with no git identity, never waits
 * for a GPG passphrase, and the repository's hooks (arbitrary programs) never run for an agent.
 */
const FIXED_CONFIG = [
  "-c",
  "user.name=Amelia",
  "-c",
  "user.email=amelia@localhost",
  "-c",
  "commit.gpgsign=false",
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.quotepath=false",
];

const TIMEOUT_MS = 5 * 60_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface GitOptions {
  /** Extra environment, e.g. a temporary GIT_INDEX_FILE. */
  env?: Record<string, string>;
}

function gitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_GIT_VARIABLES) delete env[name];
  return { ...env, GIT_TERMINAL_PROMPT: "0", ...extra };
}

/** Runs git with an argument array (never a shell) and returns its standard output. */
export function runGit(
  cwd: string,
  args: readonly string[],
  options: GitOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...FIXED_CONFIG, ...args],
      {
        cwd,
        env: gitEnvironment(options.env),
        encoding: "utf8",
        timeout: TIMEOUT_MS,
        maxBuffer: MAX_OUTPUT_BYTES,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (error) reject(new GitError(args, cwd, error.code ?? error.signal ?? undefined, stderr));
        else resolve(stdout);
      },
    );
  });
}

/** Runs a git command used as a question (`--verify`, `--quiet`): exit 0 is yes, anything else no. */
export async function gitSucceeds(cwd: string, args: readonly string[]): Promise<boolean> {
  try {
    await runGit(cwd, args);
    return true;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}
