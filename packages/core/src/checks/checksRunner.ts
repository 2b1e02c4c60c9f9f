/**
 * The program that runs inside the build: the setup commands (`setup`, in the buildspec's install
 * phase, which alone may be given network) or the checks (`checks`, in its build phase). It runs
 * each command in bash in a process group of its own, kills the whole group at the time limit,
 * keeps at most OUTPUT_CAP_BYTES of its output in `<results>/<index>.log`, and writes
 * `<results>/setup.json` or `<results>/results.json`. It always exits 0: a failing check is a
 * result, not a failed build. Plain JavaScript for any Node.js of the build image, no modules.
 */
export const RUNNER_SOURCE = String.raw`
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const mode = process.argv[1];
const plan = JSON.parse(Buffer.from(process.env.AMELIA_CHECKS, "base64").toString("utf8"));
const dir = path.resolve(process.env.AMELIA_RESULTS_DIR);
fs.mkdirSync(dir, { recursive: true });

function run(name, command, index) {
  return new Promise((resolve) => {
    const started = Date.now();
    const logFile = index + ".log";
    const log = fs.openSync(path.join(dir, logFile), "w");
    let outputBytes = 0;
    let kept = 0;
    let timedOut = false;
    const child = spawn("bash", ["-c", command], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk) => {
      outputBytes += chunk.length;
      if (kept >= plan.outputCapBytes) return;
      const part = chunk.subarray(0, plan.outputCapBytes - kept);
      fs.writeSync(log, part);
      kept += part.length;
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const kill = () => { try { process.kill(-child.pid, "SIGKILL"); } catch {} };
    const timer = setTimeout(() => { timedOut = true; kill(); }, plan.timeoutMs);
    child.on("error", (error) => keep(Buffer.from(String(error) + "\n")));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      kill();
      fs.closeSync(log);
      const exitCode = code === null ? 128 + (signal === "SIGKILL" ? 9 : 15) : code;
      resolve({ name, command, exitCode, durationMs: Date.now() - started, timedOut, outputBytes, logFile });
    });
  });
}

(async () => {
  if (mode === "setup") {
    const results = [];
    for (const [i, command] of plan.setup.entries()) {
      const result = await run("setup", command, "setup-" + i);
      results.push(result);
      if (result.exitCode !== 0) break;
    }
    fs.writeFileSync(path.join(dir, "setup.json"), JSON.stringify({ results }));
    return;
  }
  const setupFile = path.join(dir, "setup.json");
  const setup = fs.existsSync(setupFile) ? JSON.parse(fs.readFileSync(setupFile, "utf8")).results : [];
  const failed = setup.find((result) => result.exitCode !== 0);
  const results = failed ? [failed] : [];
  if (!failed) {
    for (const [i, check] of plan.checks.entries()) results.push(await run(check.name, check.run, i));
  }
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify({ results }));
})();
`;
