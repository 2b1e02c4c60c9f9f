import { GitError } from "./GitError";
import { ProgramLauncher } from "./ProgramLauncher";

/**
 * The only variables git gets from the runtime's environment: where programs, the person's git
 * configuration and temporary files are, and the locale. Everything else stays behind, the
 * runtime's keys above all (ANTHROPIC_API_KEY, GITHUB_TOKEN, AMELIA_API_TOKEN, AWS_*): git runs
 * programs a repository can name (filters, fsmonitor), and none of them needs a key. Variables
 * that would point git at another repository, index or identity (GIT_DIR, GIT_INDEX_FILE, …)
 * are left out too.
 */
const PASSED_VARIABLES = [
  "PATH",
  "HOME",
  "USERPROFILE",
  "SYSTEMROOT",
  "TMPDIR",
  "TMP",
  "TEMP",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TZ",
  "XDG_CONFIG_HOME",
  "GIT_EXEC_PATH",
  "GIT_CONFIG_GLOBAL",
  "GIT_CONFIG_SYSTEM",
  "GIT_CONFIG_NOSYSTEM",
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

/**
 * `git diff` as Amelia's readers parse it, whatever the person's configuration says: no colour,
 * no external diff or text conversion (programs a repository can name), and `a/` and `b/` prefixes.
 */
export const UNIFIED_DIFF_OPTIONS = [
  "--no-color",
  "--no-ext-diff",
  "--no-textconv",
  "--src-prefix=a/",
  "--dst-prefix=b/",
] as const;

const TIMEOUT_MS = 5 * 60_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface GitOptions {
  /** Extra environment, e.g. a temporary GIT_INDEX_FILE. */
  env?: Record<string, string>;
}

function gitEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, GIT_TERMINAL_PROMPT: "0", ...extra };
}

let launcher: ProgramLauncher | undefined;

/** Runs git with an argument array (never a shell) and returns its standard output. */
export async function runGit(
  cwd: string,
  args: readonly string[],
  options: GitOptions = {},
): Promise<string> {
  launcher ??= new ProgramLauncher(gitEnvironment());
  const { stdout, stderr, failure } = await launcher.run({
    file: "git",
    args: [...FIXED_CONFIG, ...args],
    cwd,
    env: gitEnvironment(options.env),
    timeoutMs: TIMEOUT_MS,
    maxOutputBytes: MAX_OUTPUT_BYTES,
  });
  if (failure !== undefined) throw new GitError(args, cwd, failure, stderr);
  return stdout;
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
