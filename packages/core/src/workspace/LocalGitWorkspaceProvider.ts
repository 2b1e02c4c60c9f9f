import { mkdir, readFile, realpath, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import * as z from "zod";
import { invalidField, WorkspaceError } from "../errors";
import { gitSucceeds, runGit, UNIFIED_DIFF_OPTIONS } from "./git";
import { GitWorkspace } from "./GitWorkspace";
import type {
  Changes,
  ChangesRequest,
  OpenWorkspaceRequest,
  Workspace,
  WorkspaceProvider,
} from "./Workspace";

const WORKFLOW_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const COMMIT_PATTERN = /^[0-9a-f]{40,64}$/;

const stateSchema = z.object({
  workflowId: z.string(),
  issueId: z.string(),
  repository: z.string().optional(),
  branch: z.string(),
  baseCommit: z.string().regex(COMMIT_PATTERN),
});
type WorkspaceState = z.infer<typeof stateSchema>;

/**
 * Workspaces on this machine, kept under `<dataDir>`: a git worktree of the person's repository
 * in `workspaces/<workflowId>` (their own checkout is never touched), or a scratch repository in
 * `scratch/<workflowId>` when the workflow names no repository. Each has a `<dir>.json` beside
 * it holding the base commit, so a restarted process reopens the same workspace.
 */
export class LocalGitWorkspaceProvider implements WorkspaceProvider {
  private readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = resolve(dataDir);
  }

  /**
   * The repository's canonical path (its top-level directory), so that one repository has one
   * spelling: `repo`, `repo/` and `repo/src` are the same repository to the conflict rule.
   */
  async resolveRepository(repository?: string): Promise<string | undefined> {
    return repository === undefined ? undefined : this.repositoryRoot(repository);
  }

  async open(request: OpenWorkspaceRequest): Promise<Workspace> {
    if (!WORKFLOW_ID_PATTERN.test(request.workflowId)) {
      throw new WorkspaceError(`Invalid workflow id ${request.workflowId}`, request.workflowId);
    }
    await mkdir(this.dataDir, { recursive: true });
    const repository =
      request.repository === undefined ? undefined : await this.repositoryRoot(request.repository);
    const dir = join(
      this.dataDir,
      repository === undefined ? "scratch" : "workspaces",
      request.workflowId,
    );
    const state = await readState(`${dir}.json`, request, repository);
    // Every stage reopens the workspace: one git process says whether it is still as it was left.
    if (state && (await isReadyOn(dir, request.branch))) {
      return new GitWorkspace(await realpath(dir), request.branch, state.baseCommit);
    }
    // A state file names a branch checked when it was first opened.
    if (
      !state &&
      !(await gitSucceeds(this.dataDir, ["check-ref-format", "--branch", request.branch]))
    ) {
      throw new WorkspaceError(`Invalid branch name ${request.branch}`, request.branch);
    }
    return repository === undefined
      ? this.openScratch(request, dir, state)
      : this.openWorktree(request, repository, dir, state);
  }

  /** Read where the commits are: the person's repository (a worktree shares its objects) or the scratch one. */
  async changes(request: ChangesRequest): Promise<Changes> {
    const { workflowId, repository, baseCommit, commit } = request;
    // Never an option to git, never a path outside the data directory.
    for (const id of [baseCommit, commit]) {
      if (!COMMIT_PATTERN.test(id)) throw new WorkspaceError(`Invalid commit id ${id}`, id);
    }
    if (repository === undefined && !WORKFLOW_ID_PATTERN.test(workflowId)) {
      throw new WorkspaceError(`Invalid workflow id ${workflowId}`, workflowId);
    }
    const dir =
      repository === undefined
        ? join(this.dataDir, "scratch", workflowId)
        : await this.repositoryRoot(repository);
    const diff = await runGit(dir, [
      "diff",
      ...UNIFIED_DIFF_OPTIONS,
      "--find-renames",
      baseCommit,
      commit,
      "--",
    ]);
    return { diff };
  }

  /** The repository's top-level directory, or a ValidationError saying why it is unusable. */
  private async repositoryRoot(repository: string): Promise<string> {
    const path = resolve(repository);
    const refuse = (message: string) => invalidField("repository", message);
    const stats = await stat(path).catch(() => undefined);
    if (!stats) throw refuse(`${path} does not exist`);
    if (!stats.isDirectory()) throw refuse(`${path} is not a directory`);
    const inside = await runGit(path, ["rev-parse", "--is-inside-work-tree"]).catch(() => "");
    if (inside.trim() !== "true") throw refuse(`${path} is not a git work tree`);
    if (!(await hasCommit(path))) throw refuse(`${path} has no commits yet`);
    return (await runGit(path, ["rev-parse", "--show-toplevel"])).trim();
  }

  private async openWorktree(
    request: OpenWorkspaceRequest,
    repository: string,
    dir: string,
    known: WorkspaceState | undefined,
  ): Promise<Workspace> {
    let state = known;
    if (!state) {
      // The base is fixed before the branch exists, so a crash between the two steps resumes
      // from the same start point even if the person's HEAD has moved meanwhile.
      const head = await commitOf(repository, "HEAD");
      const tip = await branchTip(repository, request.branch);
      const baseCommit =
        tip === undefined ? head : ((await mergeBase(repository, head, tip)) ?? tip);
      state = { ...stateFor(request, repository), baseCommit };
      await writeState(`${dir}.json`, state);
    }
    if ((await branchTip(repository, request.branch)) === undefined) {
      await runGit(repository, ["branch", request.branch, state.baseCommit]);
    }
    if (!(await isWorkTreeRoot(dir))) {
      // Forget a worktree whose directory was deleted, or git refuses to check the branch out.
      await runGit(repository, ["worktree", "prune"]);
      await mkdir(dirname(dir), { recursive: true });
      await runGit(repository, ["worktree", "add", "--quiet", dir, request.branch]);
    }
    return new GitWorkspace(await realpath(dir), request.branch, state.baseCommit);
  }

  private async openScratch(
    request: OpenWorkspaceRequest,
    dir: string,
    known: WorkspaceState | undefined,
  ): Promise<Workspace> {
    let state = known;
    await mkdir(dir, { recursive: true });
    // Check for our own .git: the data directory may itself sit inside someone's repository.
    if (!(await stat(join(dir, ".git")).catch(() => undefined))) {
      await runGit(dir, ["init", "--quiet", "--initial-branch=main"]);
    }
    if (!(await hasCommit(dir))) {
      await writeFile(join(dir, "README.md"), scratchReadme(request));
      await mkdir(join(dir, ".amelia"), { recursive: true });
      await writeFile(join(dir, ".amelia", "checks.yml"), SCRATCH_CHECKS);
      await runGit(dir, ["add", "README.md", ".amelia/checks.yml"]);
      await runGit(dir, [
        "commit",
        "--quiet",
        "-m",
        `Start a scratch repository for ${request.issueId}`,
      ]);
    }
    if (!state) {
      const roots = await runGit(dir, ["rev-list", "--max-parents=0", "HEAD"]);
      state = { ...stateFor(request, undefined), baseCommit: roots.trim().split("\n")[0] ?? "" };
      await writeState(`${dir}.json`, state);
    }
    if ((await branchTip(dir, request.branch)) === undefined) {
      await runGit(dir, ["branch", request.branch, state.baseCommit]);
    }
    const current = await runGit(dir, ["symbolic-ref", "--quiet", "HEAD"]).catch(() => "");
    if (current.trim() !== `refs/heads/${request.branch}`) {
      await runGit(dir, ["checkout", "--quiet", request.branch]);
    }
    return new GitWorkspace(await realpath(dir), request.branch, state.baseCommit);
  }
}

function stateFor(request: OpenWorkspaceRequest, repository: string | undefined) {
  return {
    workflowId: request.workflowId,
    issueId: request.issueId,
    ...(repository !== undefined && { repository }),
    branch: request.branch,
  };
}

async function readState(
  path: string,
  request: OpenWorkspaceRequest,
  repository: string | undefined,
): Promise<WorkspaceState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new WorkspaceError(`Unreadable workspace state ${path}`, path);
  const state = parsed.data;
  if (state.branch !== request.branch || state.repository !== repository) {
    throw new WorkspaceError(
      `Workspace of ${request.workflowId} belongs to ${state.repository ?? "a scratch repository"} ` +
        `on ${state.branch}, not ${repository ?? "a scratch repository"} on ${request.branch}`,
      path,
    );
  }
  return state;
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
async function writeState(path: string, state: WorkspaceState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, path);
}

/** A scratch repository's checks, so that its workflows are verified too (docs/checks.md). */
const SCRATCH_CHECKS = `# The checks Amelia runs on every developer round (docs/checks.md).
checks:
  - name: documents
    run: test -n "$(find . -path ./.git -prune -o -name '*.md' ! -name README.md -print)"
  - name: no conflict markers
    run: "! grep -rnE '^(<<<<<<<|>>>>>>>) ' --exclude-dir=.git ."
timeoutSeconds: 60
`;

function scratchReadme({ issueId, branch }: OpenWorkspaceRequest): string {
  return (
    `# ${issueId}\n\n` +
    `Scratch repository created by Amelia for issue \`${issueId}\`, which names no repository.\n` +
    `The agents' work is on the branch \`${branch}\`.\n`
  );
}

async function hasCommit(cwd: string): Promise<boolean> {
  return gitSucceeds(cwd, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
}

async function commitOf(cwd: string, revision: string): Promise<string> {
  return (await runGit(cwd, ["rev-parse", "--verify", `${revision}^{commit}`])).trim();
}

async function branchTip(cwd: string, branch: string): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  return (await gitSucceeds(cwd, ["show-ref", "--verify", "--quiet", ref]))
    ? commitOf(cwd, ref)
    : undefined;
}

/** Where an existing branch left HEAD's history; undefined for unrelated histories. */
async function mergeBase(cwd: string, a: string, b: string): Promise<string | undefined> {
  const output = await runGit(cwd, ["merge-base", a, b]).catch(() => "");
  return output.trim() || undefined;
}

/**
 * Whether `dir` is the top of a work tree whose HEAD is `branch`, an existing branch: what a
 * workspace opened before is, unless someone removed or changed it since.
 */
async function isReadyOn(dir: string, branch: string): Promise<boolean> {
  const output = await runGit(dir, [
    "rev-parse",
    "--show-toplevel",
    "--symbolic-full-name",
    "HEAD",
  ]).catch(() => "");
  const [top, head] = output.trim().split("\n");
  const real = await realpath(dir).catch(() => undefined);
  return top !== undefined && top === real && head === `refs/heads/${branch}`;
}

async function isWorkTreeRoot(dir: string): Promise<boolean> {
  if (!(await stat(join(dir, ".git")).catch(() => undefined))) return false;
  const top = await runGit(dir, ["rev-parse", "--show-toplevel"]).catch(() => "");
  return top.trim() !== "" && top.trim() === (await realpath(dir));
}
