import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  browserCandidates,
  canInstall,
  checkTestMachine,
  findBrowser,
  findBubblewrap,
  findGit,
  MISSING_BROWSER,
  MISSING_BUBBLEWRAP,
  MISSING_GIT,
  type ToolLookup,
} from "../../support/testTools";

/** A directory for PATH holding empty executables with the given names. */
function binDirectory(...names: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "amelia-bin-"));
  for (const name of names) {
    writeFileSync(path.join(dir, name), "#!/bin/sh\n");
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

/** The machine's own absolute paths are hidden unless listed, so its real browser never answers. */
function lookup(
  env: NodeJS.ProcessEnv,
  executables: string[] = [],
  platform: NodeJS.Platform = "linux",
): ToolLookup {
  return { env, platform, isExecutable: (file) => executables.includes(file) };
}

describe("browserCandidates", () => {
  it("tries Debian's Chromium, then Chrome and Chromium commands on PATH", () => {
    expect(browserCandidates("linux")).toEqual([
      { path: "/usr/bin/chromium" },
      { command: "google-chrome" },
      { command: "google-chrome-stable" },
      { command: "chromium-browser" },
      { command: "chromium" },
    ]);
  });

  it("adds the macOS applications on macOS, last", () => {
    expect(browserCandidates("darwin").slice(5)).toEqual([
      { path: "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" },
      { path: "/Applications/Chromium.app/Contents/MacOS/Chromium" },
    ]);
  });
});

describe("findBrowser", () => {
  it("takes CHROMIUM_PATH before anything else", () => {
    const found = findBrowser(
      lookup({ CHROMIUM_PATH: "/opt/chrome/chrome", PATH: binDirectory("google-chrome") }, [
        "/opt/chrome/chrome",
        "/usr/bin/chromium",
      ]),
    );
    expect(found).toEqual({ found: true, path: "/opt/chrome/chrome" });
  });

  it("reports a CHROMIUM_PATH that is not executable instead of looking elsewhere", () => {
    const found = findBrowser(lookup({ CHROMIUM_PATH: "/nowhere/chrome" }, ["/usr/bin/chromium"]));
    expect(found).toEqual({
      found: false,
      message: "CHROMIUM_PATH=/nowhere/chrome is not an executable file.",
    });
  });

  it("prefers Debian's Chromium to a browser on PATH", () => {
    const found = findBrowser(
      lookup({ PATH: binDirectory("google-chrome") }, ["/usr/bin/chromium"]),
    );
    expect(found).toEqual({ found: true, path: "/usr/bin/chromium" });
  });

  it("takes the first command found on PATH, in candidate order", () => {
    const bin = binDirectory("chromium", "chromium-browser", "google-chrome-stable");
    expect(findBrowser(lookup({ PATH: bin }))).toEqual({
      found: true,
      path: path.join(bin, "google-chrome-stable"),
    });
  });

  it("finds Chrome's macOS application", () => {
    const chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(findBrowser(lookup({ PATH: binDirectory() }, [chrome], "darwin"))).toEqual({
      found: true,
      path: chrome,
    });
  });

  it("says in one line what to install when there is no browser", () => {
    const found = findBrowser(lookup({ PATH: binDirectory("git") }));
    expect(found).toEqual({ found: false, message: MISSING_BROWSER });
    expect(MISSING_BROWSER).not.toContain("\n");
    expect(MISSING_BROWSER).toContain("apt-get install chromium");
    expect(MISSING_BROWSER).toContain("CHROMIUM_PATH");
  });
});

describe("findGit", () => {
  it("finds git on PATH, and nothing on a PATH without it", () => {
    const bin = binDirectory("git");
    expect(findGit(lookup({ PATH: bin }))).toBe(path.join(bin, "git"));
    expect(findGit(lookup({ PATH: binDirectory("chromium") }))).toBeNull();
  });
});

describe("findBubblewrap", () => {
  it("finds bwrap on PATH, and nothing on a PATH without it", () => {
    const bin = binDirectory("bwrap");
    expect(findBubblewrap(lookup({ PATH: bin }))).toBe(path.join(bin, "bwrap"));
    expect(findBubblewrap(lookup({ PATH: binDirectory("git") }))).toBeNull();
  });

  it("says in one line what to install", () => {
    expect(MISSING_BUBBLEWRAP).not.toContain("\n");
    expect(MISSING_BUBBLEWRAP).toContain("apt-get install bubblewrap");
  });
});

describe("checkTestMachine", () => {
  it("finds nothing missing with git, a browser and bubblewrap", () => {
    const check = checkTestMachine(lookup({ PATH: binDirectory("git", "chromium", "bwrap") }));
    expect(check).toEqual({ packages: [], problems: [] });
  });

  it("names Debian's packages for a missing git, browser and bubblewrap", () => {
    const check = checkTestMachine(lookup({ PATH: binDirectory() }));
    expect(check).toEqual({
      packages: ["git", "chromium", "bubblewrap"],
      problems: [MISSING_GIT, MISSING_BROWSER, MISSING_BUBBLEWRAP],
    });
  });

  it("names bubblewrap alone when only bwrap is missing", () => {
    const check = checkTestMachine(lookup({ PATH: binDirectory("git", "chromium") }));
    expect(check).toEqual({ packages: ["bubblewrap"], problems: [MISSING_BUBBLEWRAP] });
  });

  it("installs nothing for a wrong CHROMIUM_PATH", () => {
    const check = checkTestMachine(
      lookup({ CHROMIUM_PATH: "/x", PATH: binDirectory("git", "bwrap") }),
    );
    expect(check).toEqual({
      packages: [],
      problems: ["CHROMIUM_PATH=/x is not an executable file."],
    });
  });
});

describe("canInstall", () => {
  const missingBrowser = { packages: ["chromium"], problems: [MISSING_BROWSER] };
  const withApt = lookup({ PATH: binDirectory("apt-get") });

  it("installs as root on Linux with apt-get", () => {
    expect(canInstall(missingBrowser, withApt, 0)).toBe(true);
  });

  it("does not install as another user, without apt-get, or off Linux", () => {
    expect(canInstall(missingBrowser, withApt, 1000)).toBe(false);
    expect(canInstall(missingBrowser, lookup({ PATH: binDirectory() }), 0)).toBe(false);
    const mac = lookup({ PATH: binDirectory("apt-get") }, [], "darwin");
    expect(canInstall(missingBrowser, mac, 0)).toBe(false);
  });

  it("does not install when nothing is missing or a problem has no package", () => {
    expect(canInstall({ packages: [], problems: [] }, withApt, 0)).toBe(false);
    const wrongPath = {
      packages: ["git"],
      problems: [MISSING_GIT, "CHROMIUM_PATH=/x is not an executable file."],
    };
    expect(canInstall(wrongPath, withApt, 0)).toBe(false);
  });
});
