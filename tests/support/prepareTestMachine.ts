import { spawnSync } from "node:child_process";
import { canInstall, checkTestMachine } from "./testTools";

/**
 * `npm test`'s pretest step: makes sure git, a browser and bubblewrap are there. What is missing is installed
 * with Debian's apt-get when this runs as root on a machine that has it; otherwise it stops at
 * once with one line per missing program saying what to install.
 */

function apt(...args: string[]): void {
  const result = spawnSync("apt-get", args, {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.status !== 0) {
    console.error(`apt-get ${args.join(" ")} failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

let check = checkTestMachine();
if (canInstall(check)) {
  console.error(`Installing ${check.packages.join(" and ")} for the tests (apt-get).`);
  apt("update", "-qq");
  apt("install", "-y", "-qq", ...check.packages);
  check = checkTestMachine();
}
if (check.problems.length > 0) {
  for (const problem of check.problems) console.error(problem);
  process.exit(1);
}
