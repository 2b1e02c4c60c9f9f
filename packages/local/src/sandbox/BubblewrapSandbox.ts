import { lchown, lstat, readdir, readlink, realpath } from "node:fs/promises";
import { totalmem } from "node:os";
import path from "node:path";
import { findOnPath } from "./findOnPath";
import { BASH, bashArguments, checkRun, runProcessTree, type ProcessLaunch } from "./processTree";
import type { Sandbox, SandboxResult, SandboxRun } from "./Sandbox";
import { SandboxUnavailableError, UNSAFE_HOST_HINT } from "./SandboxUnavailableError";

/**
 * Limits on each run, set with bash's `ulimit` inside the sandbox.
 *
 * Why rlimits rather than cgroups: they work for any user on any Linux, where a cgroup needs a
 * delegated, writable hierarchy (v1 and v2 differ, and most desktop sessions delegate nothing to
 * a plain process).
 */
export interface SandboxLimits {
  /**
   * RLIMIT_NPROC: the run's processes and threads together (Node.js uses about ten threads).
   * Counted per user namespace (Linux ≥ 5.14), so for an ordinary user it is the run's own count
   * (before 5.14, all the user's processes count); for a root runtime, whose runs all share uid
   * 65534, it is the count of all its running sandboxes (and of the machine's other processes of
   * that uid).
   */
  processes: number;
  /**
   * RLIMIT_DATA of each process, in bytes: its heap and private writable memory. RLIMIT_AS would
   * be the obvious limit, but V8 reserves far more address space than it uses and cannot start
   * under a useful one. This bounds one runaway process, not the sum of a run's processes.
   */
  memoryBytes: number;
}

/** Room for a test runner's workers and their threads; half the machine's memory per process. */
function defaultLimits(): SandboxLimits {
  return { processes: 1024, memoryBytes: Math.floor(totalmem() / 2) };
}

/** Read-only in every sandbox where the machine has them (as symlinks where they are symlinks). */
const SYSTEM_DIRECTORIES = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];
/** A fresh tmpfs in each run; HOME is made inside it, by the run's own user. */
const SANDBOX_TMP = "/tmp";
const SANDBOX_HOME = "/tmp/home";
/** "nobody" on Debian, Ubuntu, Fedora and Arch: the user that a root runtime's scripts run as. */
const UNPRIVILEGED_ID = 65534;
const PROBE_TIMEOUT_MS = 10_000;

export interface BubblewrapOptions {
  /** The bwrap executable. */
  bwrap: string;
  /** Where to find setpriv when the runtime runs as root. */
  searchPath: string;
  limits?: SandboxLimits;
}

/** What each run's arguments are made of, found once per sandbox. */
interface Setup {
  systemMounts: string[];
  /** The Node.js binary's directory and its global modules (npm), when not in a system directory. */
  nodeDirectories: string[];
  /** /etc/resolv.conf's target when it points outside /etc (systemd-resolved): bound for network. */
  resolverFile: string | null;
  /** setpriv, for a root runtime. */
  setpriv: string | null;
  /** Whether this bwrap can forbid user namespaces inside the sandbox (bubblewrap ≥ 0.8). */
  disablesUserNamespaces: boolean;
}

/**
 * The bubblewrap sandbox (AMELIA_SANDBOX unset). Each run gets:
 * - a fresh mount namespace holding only the system directories (read-only), the Node.js install
 *   (read-only), the run's directory (read-write, at the same path as outside), a tmpfs /tmp with
 *   HOME in it, and /proc and /dev of its own; the root is read-only, so writes outside the
 *   directory and /tmp fail. Nothing else of the machine is there: not the user's home, the data
 *   directory or the runtime's checkout;
 * - new pid, IPC, UTS and network namespaces: no network at all, loopback included (its own
 *   loopback has nothing listening), unless `network` shares the host's;
 * - its own session (no terminal to inject input into) and death with the runtime;
 * - the limits above, no capabilities, and no way to gain privileges (no_new_privs).
 * Killing bwrap ends the pid namespace, so the whole process tree ends at once.
 *
 * Who the script runs as: an ordinary user's runtime runs bwrap as itself, in a new user
 * namespace, where the process limit counts the run's processes only. A root runtime cannot use
 * the same path: a uid-0 process is exempt from RLIMIT_NPROC, and bwrap started as another user
 * cannot reach a directory under root's 0700 home. So bwrap runs as root (without a user
 * namespace), sets up the mounts, and setpriv drops the script to uid/gid 65534 with no
 * capabilities; the run's directory is handed to that uid (chowned) first.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly kind = "bubblewrap";
  private readonly limits: SandboxLimits;
  private readonly asRoot = process.getuid?.() === 0;
  private setup: Promise<Setup> | undefined;

  constructor(private readonly options: BubblewrapOptions) {
    this.limits = options.limits ?? defaultLimits();
  }

  async run(run: SandboxRun): Promise<SandboxResult> {
    await checkRun(run);
    const directory = path.resolve(run.directory);
    if (isWithin(directory, SANDBOX_HOME)) {
      throw new Error(`A sandbox run's directory cannot be inside ${SANDBOX_HOME}, its HOME.`);
    }
    const setup = await this.ready();
    if (this.asRoot) await chownTree(directory, UNPRIVILEGED_ID);
    return runProcessTree(this.launch(setup, run, directory), run);
  }

  /** The setup, found and tried once; a failure is not kept, so a fixed machine works at once. */
  private ready(): Promise<Setup> {
    this.setup ??= this.prepare().catch((error: unknown) => {
      this.setup = undefined;
      throw error;
    });
    return this.setup;
  }

  private async prepare(): Promise<Setup> {
    const { bwrap } = this.options;
    const setpriv = this.asRoot ? findOnPath("setpriv", this.options.searchPath) : null;
    if (this.asRoot && !(setpriv && isSystemPath(setpriv))) {
      throw new SandboxUnavailableError(
        "The runtime runs as root, so its sandbox drops to uid 65534 with setpriv, which is not " +
          `in a system directory on PATH: install util-linux, run the runtime as another user, ${UNSAFE_HOST_HINT}`,
      );
    }
    const setup: Setup = {
      systemMounts: await systemMounts(),
      nodeDirectories: await nodeDirectories(),
      resolverFile: await resolverFile(),
      setpriv,
      disablesUserNamespaces:
        !this.asRoot &&
        (await capture({ file: bwrap, args: ["--help"], env: {}, cwd: "/" })).output.includes(
          "--disable-userns",
        ),
    };
    const probe = await capture(
      this.launch(setup, { command: "true", env: {}, network: false }, null),
    );
    if (probe.exitCode !== 0) {
      throw new SandboxUnavailableError(
        `bubblewrap (${bwrap}) cannot start a sandbox on this machine: ${probe.output.trim()}. ` +
          "Unprivileged user namespaces may be disabled (sysctl user.max_user_namespaces or " +
          "kernel.unprivileged_userns_clone; on Ubuntu, AppArmor's " +
          "kernel.apparmor_restrict_unprivileged_userns), or a container may forbid namespaces: " +
          `allow them, ${UNSAFE_HOST_HINT}`,
      );
    }
    return setup;
  }

  /** bwrap's launch for a script; `directory` null for the probe, which binds none. */
  private launch(
    setup: Setup,
    { command, env, network }: Pick<SandboxRun, "command" | "env" | "network">,
    directory: string | null,
  ): ProcessLaunch {
    const namespaces = this.asRoot
      ? [
          ...["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"],
          ...(network ? [] : ["--unshare-net"]),
          // Only for setpriv, which drops them with the uid before the script starts.
          ...["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"],
        ]
      : [
          ...["--unshare-all", "--unshare-user"],
          ...(setup.disablesUserNamespaces ? ["--disable-userns"] : []),
          ...(network ? ["--share-net"] : []),
        ];
    const resolver = network && setup.resolverFile ? [setup.resolverFile] : [];
    const mounts = [
      ...setup.systemMounts,
      ...[...setup.nodeDirectories, ...resolver].flatMap((source) =>
        bindWithParents("--ro-bind", source),
      ),
      ...["--proc", "/proc", "--dev", "/dev"],
      ...["--perms", "1777", "--tmpfs", "/dev/shm", "--perms", "1777", "--tmpfs", SANDBOX_TMP],
      ...(directory ? [...bindWithParents("--bind", directory), "--chdir", directory] : []),
      ...["--remount-ro", "/"],
    ];
    const dropToUnprivileged = setup.setpriv
      ? [
          setup.setpriv,
          `--reuid=${UNPRIVILEGED_ID}`,
          `--regid=${UNPRIVILEGED_ID}`,
          ...["--clear-groups", "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all"],
        ]
      : [];
    const prelude = [
      "set -e",
      `ulimit -u ${this.limits.processes}`,
      `ulimit -d ${Math.floor(this.limits.memoryBytes / 1024)}`,
      'mkdir -m 700 "$HOME"',
    ];
    return {
      file: this.options.bwrap,
      args: [
        ...namespaces,
        ...["--die-with-parent", "--new-session"],
        ...mounts,
        "--",
        ...dropToUnprivileged,
        BASH,
        ...bashArguments(prelude, command),
      ],
      env: { ...env, HOME: SANDBOX_HOME },
      cwd: "/",
    };
  }
}

/** Runs a short-lived command and keeps its output (a few kilobytes at most). */
async function capture(
  launch: ProcessLaunch,
): Promise<{ exitCode: number | null; output: string }> {
  let output = "";
  const result = await runProcessTree(launch, {
    timeoutMs: PROBE_TIMEOUT_MS,
    onOutput: (chunk) => {
      if (output.length < 16_384) output += chunk.toString("utf8");
    },
  });
  return { exitCode: result.exitCode, output };
}

async function systemMounts(): Promise<string[]> {
  const mounts: string[] = [];
  for (const directory of SYSTEM_DIRECTORIES) {
    const found = await lstat(directory).catch(() => null);
    if (found?.isSymbolicLink()) mounts.push("--symlink", await readlink(directory), directory);
    else if (found?.isDirectory()) mounts.push("--ro-bind", directory, directory);
  }
  return mounts;
}

async function nodeDirectories(): Promise<string[]> {
  const binaries = path.dirname(await realpath(process.execPath));
  const globalModules = path.join(path.dirname(binaries), "lib", "node_modules");
  const found = [binaries];
  if ((await lstat(globalModules).catch(() => null))?.isDirectory()) found.push(globalModules);
  return found.filter((directory) => !isSystemPath(directory));
}

async function resolverFile(): Promise<string | null> {
  const target = await realpath("/etc/resolv.conf").catch(() => null);
  return target && !isSystemPath(target) ? target : null;
}

/**
 * Binds `source` at its own path, creating its parent directories first: left to bwrap, they
 * would copy the modes of the originals, and a 0700 parent would shut out the unprivileged user.
 */
function bindWithParents(option: "--bind" | "--ro-bind", source: string): string[] {
  const parents: string[] = [];
  for (let dir = path.dirname(source); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (dir !== SANDBOX_TMP && !isSystemPath(dir)) parents.unshift("--dir", dir);
  }
  return [...parents, option, source, source];
}

function isSystemPath(file: string): boolean {
  return SYSTEM_DIRECTORIES.some((directory) => isWithin(file, directory));
}

function isWithin(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** Hands a directory and everything in it to `id` (symbolic links themselves, not their targets). */
async function chownTree(directory: string, id: number): Promise<void> {
  const entries = await readdir(directory, { recursive: true });
  const files = [directory, ...entries.map((entry) => path.join(directory, entry))];
  await Promise.all(files.map((file) => lchown(file, id, id)));
}
