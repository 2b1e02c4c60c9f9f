import { accessSync, constants, statSync } from "node:fs";
import which from "which";

/**
 * Finds the programs `npm test` needs beyond Node: git, a Chromium or Chrome for the browser
 * tests (a browser is never downloaded), and bubblewrap for the sandbox tests. Pure lookups;
 * `prepareTestMachine.ts` acts on them.
 */

/** Where a browser may be: an absolute path, or a command looked up on PATH. */
export type BrowserCandidate = { path: string } | { command: string };

export interface ToolLookup {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Whether an absolute path is an executable file (PATH commands are resolved by `which`). */
  isExecutable: (path: string) => boolean;
}

export type BrowserSearch = { found: true; path: string } | { found: false; message: string };

export const MISSING_BROWSER =
  "npm test needs Chromium or Google Chrome for the browser tests: install one " +
  "(Debian: apt-get install chromium) or set CHROMIUM_PATH to its executable.";

export const MISSING_GIT = "npm test needs git: install it (Debian: apt-get install git).";

export const MISSING_BUBBLEWRAP =
  "npm test needs bubblewrap (bwrap, Linux) for the sandbox tests: install it " +
  "(Debian: apt-get install bubblewrap).";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";
const PATH_COMMANDS = ["google-chrome", "google-chrome-stable", "chromium-browser", "chromium"];
const MACOS_APPS = [
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

export const systemLookup: ToolLookup = {
  env: process.env,
  platform: process.platform,
  isExecutable: (path) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
};

/** The places searched, in order, when CHROMIUM_PATH is not set. */
export function browserCandidates(platform: NodeJS.Platform): BrowserCandidate[] {
  return [
    { path: DEBIAN_CHROMIUM },
    ...PATH_COMMANDS.map((command) => ({ command })),
    ...(platform === "darwin" ? MACOS_APPS.map((path) => ({ path })) : []),
  ];
}

/**
 * CHROMIUM_PATH when set (then the only choice, so a wrong value is reported rather than passed
 * over), else the first candidate found.
 */
export function findBrowser(lookup: ToolLookup = systemLookup): BrowserSearch {
  const configured = lookup.env.CHROMIUM_PATH;
  if (configured) {
    return lookup.isExecutable(configured)
      ? { found: true, path: configured }
      : { found: false, message: `CHROMIUM_PATH=${configured} is not an executable file.` };
  }
  for (const candidate of browserCandidates(lookup.platform)) {
    const path = locate(candidate, lookup);
    if (path) return { found: true, path };
  }
  return { found: false, message: MISSING_BROWSER };
}

export function findGit(lookup: ToolLookup = systemLookup): string | null {
  return onPath("git", lookup);
}

export function findBubblewrap(lookup: ToolLookup = systemLookup): string | null {
  return onPath("bwrap", lookup);
}

/** What the machine lacks: the Debian packages that would supply it, and one line per problem. */
export interface TestMachineCheck {
  packages: string[];
  problems: string[];
}

export function checkTestMachine(lookup: ToolLookup = systemLookup): TestMachineCheck {
  const check: TestMachineCheck = { packages: [], problems: [] };
  if (!findGit(lookup)) {
    check.packages.push("git");
    check.problems.push(MISSING_GIT);
  }
  const browser = findBrowser(lookup);
  if (!browser.found) {
    // A wrong CHROMIUM_PATH is the user's to fix; installing Chromium would not honour it.
    if (browser.message === MISSING_BROWSER) check.packages.push("chromium");
    check.problems.push(browser.message);
  }
  if (!findBubblewrap(lookup)) {
    check.packages.push("bubblewrap");
    check.problems.push(MISSING_BUBBLEWRAP);
  }
  return check;
}

/** Whether the check's packages can be installed here: every problem has one, as root with apt-get. */
export function canInstall(
  check: TestMachineCheck,
  lookup: ToolLookup = systemLookup,
  uid = process.getuid?.(),
): boolean {
  return (
    check.packages.length > 0 &&
    check.packages.length === check.problems.length &&
    lookup.platform === "linux" &&
    uid === 0 &&
    onPath("apt-get", lookup) !== null
  );
}

function locate(candidate: BrowserCandidate, lookup: ToolLookup): string | null {
  if ("command" in candidate) return onPath(candidate.command, lookup);
  return lookup.isExecutable(candidate.path) ? candidate.path : null;
}

function onPath(command: string, lookup: ToolLookup): string | null {
  return which.sync(command, { path: lookup.env.PATH ?? "", nothrow: true });
}
