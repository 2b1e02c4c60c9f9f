import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { BubblewrapSandbox } from "../../../src/sandbox/BubblewrapSandbox";
import { findOnPath } from "../../../src/sandbox/findOnPath";
import { sandboxFor } from "../../../src/sandbox/Sandbox";
import { processesMentioning, sleepMarker } from "../../support/processes";
import { runScript } from "../../support/sandboxRuns";
import { tempDir } from "../../support/tempDir";

const REPOSITORY_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../..",
);
const sandbox = sandboxFor(undefined);

let directory: ReturnType<typeof tempDir>;
beforeEach(() => {
  directory = tempDir("sandbox-run");
});
afterEach(() => directory.remove());

/** A TCP server on 127.0.0.1 that counts connections and what they send. */
async function loopbackServer(): Promise<{ port: number; received: string[]; close: () => void }> {
  const received: string[] = [];
  const server: Server = createServer((socket) => {
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString()));
    socket.on("end", () => received.push(data));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, received, close: () => server.close() };
}

/**
 * A fork bomb with a bound, so that the machine survives it even without the sandbox's limit:
 * each shell starts two more down to depth 9 and then sleeps, about 2,000 processes in all.
 */
function boundedForkBomb(marker: string): string {
  return `bomb() { if [ "$1" -lt 9 ]; then bomb $(( $1 + 1 )) & bomb $(( $1 + 1 )) & fi; sleep ${marker}; }; bomb 0`;
}

/** Runs `during` while sampling the number of processes carrying `marker`; returns the peak too. */
async function peakProcesses<T>(marker: string, during: Promise<T>): Promise<[T, number]> {
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, processesMentioning(marker).length);
  }, 20);
  try {
    return [await during, peak];
  } finally {
    clearInterval(sampler);
  }
}

describe("the bubblewrap sandbox's file system", () => {
  it("holds the system directories, Node.js and its own directory, but no home, data directory or checkout", async () => {
    const home = tempDir("sandbox-home");
    const dataDir = tempDir("sandbox-data");
    try {
      writeFileSync(path.join(home.path, ".credentials"), "home-secret-1234");
      writeFileSync(path.join(dataDir.path, "amelia.db"), "data-secret-5678");
      writeFileSync(path.join(directory.path, "input.txt"), "the run's own file");
      const checkoutFile = path.join(REPOSITORY_ROOT, "package.json");
      const { result, output } = await runScript(
        sandbox,
        [
          `cat ${home.path}/.credentials ${dataDir.path}/amelia.db ${checkoutFile}`,
          "cat input.txt; echo",
          'echo "root: $(ls / | tr "\\n" " ")"',
          "node -e 'console.log(\"node says\", 6 * 7)'",
        ].join("\n"),
        { directory: directory.path },
      );
      expect(result.exitCode).toBe(0);
      expect(output).not.toContain("home-secret-1234");
      expect(output).not.toContain("data-secret-5678");
      expect(output).not.toContain('"workspaces"');
      expect(output.match(/No such file or directory/g)).toHaveLength(3);
      expect(output).toContain("the run's own file");
      expect(output).toContain("node says 42");
      const root = /root: (.*)/.exec(output)![1]!.trim().split(" ");
      const allowed = [
        "bin",
        "dev",
        "etc",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "proc",
        "sbin",
        "tmp",
        "usr",
      ];
      expect(root.filter((entry) => !allowed.includes(entry))).toEqual([]);
    } finally {
      home.remove();
      dataDir.remove();
    }
  });

  it("refuses writes outside its directory and /tmp, and leaves the machine's files as they were", async () => {
    const outside = tempDir("sandbox-outside");
    try {
      const outsideFile = path.join(outside.path, "notes.txt");
      writeFileSync(outsideFile, "original");
      const targets = [
        outsideFile,
        "/usr/amelia-sandbox-probe",
        "/etc/amelia-sandbox-probe",
        "/amelia-sandbox-probe",
      ];
      const { output } = await runScript(
        sandbox,
        [
          ...targets.map((target) => `echo changed > ${target} || echo "refused ${target}"`),
          `echo changed > ${path.dirname(directory.path)}/sibling-of-the-directory`,
          "echo inside > written.txt && echo wrote inside",
        ].join("\n"),
        { directory: directory.path },
      );
      for (const target of targets) expect(output).toContain(`refused ${target}`);
      expect(readFileSync(outsideFile, "utf8")).toBe("original");
      for (const target of targets.slice(1)) expect(existsSync(target)).toBe(false);
      expect(existsSync(`${path.dirname(directory.path)}/sibling-of-the-directory`)).toBe(false);
      expect(output).toContain("wrote inside");
      expect(readFileSync(path.join(directory.path, "written.txt"), "utf8")).toBe("inside\n");
    } finally {
      outside.remove();
    }
  });

  it("reaches a directory whose parent only its owner may enter, as under root's home", async () => {
    const parent = tempDir("sandbox-private");
    try {
      chmodSync(parent.path, 0o700);
      const runDirectory = path.join(parent.path, "builds", "run-1");
      mkdirSync(runDirectory, { recursive: true });
      const { result, output } = await runScript(
        sandbox,
        'cd "$PWD" && echo "entered $PWD" && echo made > made.txt',
        { directory: runDirectory },
      );
      expect(result.exitCode).toBe(0);
      expect(output).toBe(`entered ${runDirectory}\n`);
      expect(readFileSync(path.join(runDirectory, "made.txt"), "utf8")).toBe("made\n");
    } finally {
      parent.remove();
    }
  });

  it("gives the script no capabilities and no way to gain privileges", async () => {
    const { output } = await runScript(
      sandbox,
      "grep -E '^(CapEff|CapPrm|NoNewPrivs)' /proc/self/status",
      {
        directory: directory.path,
      },
    );
    expect(output).toMatch(/CapPrm:\s+0+\n/);
    expect(output).toMatch(/CapEff:\s+0+\n/);
    expect(output).toMatch(/NoNewPrivs:\s+1/);
  });
});

describe("the bubblewrap sandbox's network", () => {
  let server: Awaited<ReturnType<typeof loopbackServer>>;
  beforeAll(async () => {
    server = await loopbackServer();
  });
  afterAll(() => server.close());

  it("has none: not the loopback, not a port this process listens on, not a public address", async () => {
    const { output } = await runScript(
      sandbox,
      [
        `echo hello > /dev/tcp/127.0.0.1/${server.port} && echo "reached the loopback"`,
        "echo hello > /dev/tcp/1.1.1.1/53 && echo 'reached a public address'",
        `node -e 'require("net").connect(${server.port}, "127.0.0.1").on("connect", () => console.log("node connected")).on("error", (e) => console.log("node:", e.code))'`,
      ].join("\n"),
      { directory: directory.path },
    );
    expect(output).not.toContain("reached");
    expect(output).not.toContain("node connected");
    expect(output).toContain("Connection refused");
    expect(output).toContain("Network is unreachable");
    expect(output).toContain("node: ECONNREFUSED");
    expect(server.received).toEqual([]);
  });

  it("shares the host's when the run asks for it", async () => {
    const { output } = await runScript(
      sandbox,
      `echo hello > /dev/tcp/127.0.0.1/${server.port} && echo "reached the loopback"`,
      { directory: directory.path, network: true },
    );
    expect(output).toContain("reached the loopback");
    // The server's side of the connection may end a moment after the script's.
    await vi.waitFor(() => expect(server.received).toEqual(["hello\n"]));
  });
});

describe("the bubblewrap sandbox's output", () => {
  it("streams 100 MB without holding it: this process's memory stays flat", async () => {
    const print = (bytes: number, onOutput: (chunk: Buffer) => void) =>
      sandbox.run({
        directory: directory.path,
        command: `yes amelia | head -c ${bytes}`,
        env: { PATH: "/usr/bin:/bin" },
        timeoutMs: 30_000,
        network: false,
        onOutput,
      });
    // A first stream grows the heap's young generation to its working size; that is not output kept.
    await print(20_000_000, () => {});
    const before = process.memoryUsage.rss();
    let peak = before;
    let bytes = 0;
    const result = await print(100_000_000, (chunk) => {
      bytes += chunk.length;
      peak = Math.max(peak, process.memoryUsage.rss());
    });
    expect(result.exitCode).toBe(0);
    expect(bytes).toBe(100_000_000);
    expect(peak - before).toBeLessThan(50 * 1024 * 1024);
  });
});

describe("the bubblewrap sandbox's limits", () => {
  const limits = { processes: 64, memoryBytes: 256 * 1024 * 1024 };
  const limited = new BubblewrapSandbox({
    bwrap: findOnPath("bwrap", process.env.PATH ?? "")!,
    searchPath: process.env.PATH ?? "",
    limits,
  });

  it("stops a fork bomb at the process limit, and it ends with the run", async () => {
    const marker = sleepMarker();
    const [{ result, output }, peak] = await peakProcesses(
      marker,
      runScript(limited, boundedForkBomb(marker), { directory: directory.path, timeoutMs: 3_000 }),
    );
    expect(result.timedOut).toBe(true);
    expect(output).toContain("Resource temporarily unavailable");
    // bwrap's own two processes carry the script in their arguments too.
    expect(peak).toBeLessThanOrEqual(limits.processes + 2);
    expect(peak).toBeGreaterThan(limits.processes / 2);
    expect(processesMentioning(marker)).toEqual([]);
  });

  it("bounds each process's memory", async () => {
    const { output } = await runScript(
      limited,
      [
        "node -e 'Buffer.alloc(64 * 1024 * 1024); console.log(\"64 MiB fit\")'",
        "node -e 'Buffer.alloc(512 * 1024 * 1024); console.log(\"512 MiB fit\")'",
      ].join("\n"),
      { directory: directory.path },
    );
    expect(output).toContain("64 MiB fit");
    expect(output).not.toContain("512 MiB fit");
    expect(output).toContain("Array buffer allocation failed");
  });
});

describe("the bubblewrap sandbox's start", () => {
  it("runs a no-op script well within a second", async () => {
    await runScript(sandbox, "true", { directory: directory.path }); // the one-time probe
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const { result } = await runScript(sandbox, "true", { directory: directory.path });
      expect(result.exitCode).toBe(0);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });
});

describe("the bubblewrap sandbox of an ordinary user", () => {
  /** Runs a script in a BubblewrapSandbox of a Node.js process that is not root. */
  function runAsOrdinaryUser(runDirectory: string, command: string): Promise<string> {
    const code = `
      import { BubblewrapSandbox } from ${JSON.stringify(path.join(REPOSITORY_ROOT, "packages/local/src/sandbox/BubblewrapSandbox.ts"))};
      const [bwrap, directory, command] = process.argv.slice(1);
      const sandbox = new BubblewrapSandbox({ bwrap, searchPath: "", limits: { processes: 32, memoryBytes: 2 ** 30 } });
      let output = "";
      const result = await sandbox.run({ directory, command, env: { PATH: "/usr/bin:/bin" }, timeoutMs: 3000, network: false, onOutput: (chunk) => (output += chunk) });
      console.log(JSON.stringify({ result, output }));
    `;
    const bwrap = findOnPath("bwrap", process.env.PATH ?? "")!;
    // As root, the child drops to nobody; otherwise this process is an ordinary user already.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", code, bwrap, runDirectory, command],
      { cwd: REPOSITORY_ROOT, env: { PATH: process.env.PATH ?? "", HOME: runDirectory }, ...user },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`)),
      );
    });
  }

  it("runs the script in a user namespace of its own, where the process limit holds", async () => {
    chmodSync(directory.path, 0o755);
    if (process.getuid?.() === 0) chownSync(directory.path, 65534, 65534);
    const marker = sleepMarker();
    const [stdout, peak] = await peakProcesses(
      marker,
      runAsOrdinaryUser(directory.path, `cat /proc/self/uid_map\n${boundedForkBomb(marker)}`),
    );
    const { result, output } = JSON.parse(stdout) as {
      result: { timedOut: boolean };
      output: string;
    };
    // The run's uid is the only one mapped: a user namespace of its own, not the machine's.
    const uid = process.getuid?.() === 0 ? 65534 : process.getuid?.();
    expect(output).toMatch(new RegExp(`^\\s*${uid}\\s+\\d+\\s+1\\s*$`, "m"));
    expect(result.timedOut).toBe(true);
    expect(output).toContain("Resource temporarily unavailable");
    expect(peak).toBeLessThanOrEqual(32 + 2);
    expect(processesMentioning(marker)).toEqual([]);
  });
});
