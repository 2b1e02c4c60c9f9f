import { describe, expect, it } from "vitest";
import { ChecksFileError } from "../../../src/checks/ChecksFileError";
import { parseChecksFile } from "../../../src/checks/checksConfig";
import { detectChecks } from "../../../src/checks/detectChecks";
import { PERMANENT_AGENT_ERROR } from "../../../src/definitions/stateMachine";

const refusal = (text: string) => {
  try {
    parseChecksFile(text);
  } catch (error) {
    return error as ChecksFileError;
  }
  throw new Error("accepted");
};

describe(".amelia/checks.yml", () => {
  it("reads setup, named checks and the time limit, with defaults", () => {
    expect(
      parseChecksFile(
        "setup:\n  - npm ci\nchecks:\n  - name: test\n    run: npm test\n  - name: lint\n    run: npm run lint\ntimeoutSeconds: 120\n",
      ),
    ).toEqual({
      setup: ["npm ci"],
      checks: [
        { name: "test", run: "npm test" },
        { name: "lint", run: "npm run lint" },
      ],
      timeoutSeconds: 120,
      setupNetwork: [],
    });
    expect(parseChecksFile("checks:\n  - name: t\n    run: make\n")).toMatchObject({
      setup: [],
      timeoutSeconds: 600,
    });
  });

  it("refuses bad YAML, unknown keys, a check without run, a limit over an hour — naming the file and the place", () => {
    expect(refusal("checks: [").message).toMatch(
      /^\.amelia\/checks\.yml is invalid: not valid YAML/,
    );
    expect(refusal("checks:\n  - name: t\n    run: x\ncolour: blue\n").message).toMatch(
      /the file: Unrecognized key: "colour"/,
    );
    expect(refusal("checks:\n  - name: t\n").message).toMatch(/checks\.0\.run/);
    expect(refusal("checks:\n  - name: t\n    run: x\ntimeoutSeconds: 7200\n").message).toMatch(
      /timeoutSeconds/,
    );
    expect(refusal("checks: []\n").message).toMatch(/at least one check/);
    expect(refusal("checks:\n  - {name: t, run: a}\n  - {name: t, run: b}\n").message).toMatch(
      /"t" is used twice/,
    );
  });

  it("is a permanent failure: the state machine does not retry a bad file", () => {
    expect(refusal("nonsense: true").name).toBe(PERMANENT_AGENT_ERROR);
  });
});

describe("detected checks", () => {
  const repository = (files: Record<string, string>) => async (path: string) => files[path];

  it("proposes the package.json scripts, with npm ci when there is a lockfile", async () => {
    const scripts = { test: "vitest", lint: "eslint .", start: "node ." };
    expect(
      await detectChecks(
        repository({ "package.json": JSON.stringify({ scripts }), "package-lock.json": "{}" }),
      ),
    ).toEqual({
      setup: ["npm ci"],
      checks: [
        { name: "lint", run: "npm run lint" },
        { name: "test", run: "npm test" },
      ],
      timeoutSeconds: 600,
      setupNetwork: [],
    });
  });

  it("finds make test, pytest, go and cargo; nothing in a repository without them", async () => {
    const found = await detectChecks(
      repository({
        Makefile: "build:\n\tcc x.c\ntest: build\n\t./x\n",
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "go.mod": "module x\n",
        "Cargo.toml": "[package]\n",
      }),
    );
    expect(found?.checks.map((check) => check.run)).toEqual([
      "make test",
      "python3 -m pytest",
      "go test ./...",
      "cargo test",
    ]);
    expect(
      await detectChecks(repository({ "README.md": "# x", Makefile: "all:\n" })),
    ).toBeUndefined();
    expect(await detectChecks(repository({ "package.json": "{not json" }))).toBeUndefined();
  });
});
