import { DEFAULT_TIMEOUT_SECONDS, type Check, type ChecksConfig } from "./checksConfig";

/** Reads a file of the repository: its text, or undefined when there is none. */
export type ReadRepositoryFile = (path: string) => Promise<string | undefined>;

/** The package.json scripts that are checks, in the order they run. */
const NPM_SCRIPTS = ["typecheck", "lint", "test", "build"];

/**
 * Proposes checks from what the repository has when it has no `.amelia/checks.yml`: the
 * package.json scripts, a Makefile's `test` target, pytest, Go, Cargo. Undefined when nothing
 * is found: the workflow then runs without checks, and says so.
 */
export async function detectChecks(read: ReadRepositoryFile): Promise<ChecksConfig | undefined> {
  const setup: string[] = [];
  const checks: Check[] = [];
  const packageJson = await read("package.json");
  if (packageJson !== undefined) {
    const scripts = scriptsOf(packageJson);
    const found = NPM_SCRIPTS.filter((name) => typeof scripts[name] === "string");
    if (found.length > 0) {
      setup.push((await read("package-lock.json")) !== undefined ? "npm ci" : "npm install");
      for (const name of found) {
        checks.push({ name, run: name === "test" ? "npm test" : `npm run ${name}` });
      }
    }
  }
  const makefile = await read("Makefile");
  if (makefile !== undefined && /^test\s*:/m.test(makefile)) {
    checks.push({ name: "make test", run: "make test" });
  }
  const pyproject = await read("pyproject.toml");
  if (pyproject !== undefined && /\bpytest\b/.test(pyproject)) {
    checks.push({ name: "pytest", run: "python3 -m pytest" });
  }
  if ((await read("go.mod")) !== undefined) checks.push({ name: "go test", run: "go test ./..." });
  if ((await read("Cargo.toml")) !== undefined)
    checks.push({ name: "cargo test", run: "cargo test" });
  if (checks.length === 0) return undefined;
  return { setup, checks, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, setupNetwork: [] };
}

function scriptsOf(packageJson: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(packageJson) as { scripts?: unknown };
    return typeof parsed.scripts === "object" && parsed.scripts !== null
      ? (parsed.scripts as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
