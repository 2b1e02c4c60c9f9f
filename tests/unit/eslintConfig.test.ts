import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/** The repository's own ESLint configuration, run on snippets placed at paths in the tree. */
const eslint = new ESLint({ cwd: fileURLToPath(new URL("../..", import.meta.url)) });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((message) => message.ruleId ?? message.message);
}

const RESTRICTED = "import-x/no-restricted-paths";

describe("dependency direction", () => {
  it.each([
    ["packages/core/src/probe.ts", 'import "@amelia/functions/src/version";'],
    ["packages/core/src/probe.ts", 'import "../../functions/src/version";'],
    ["packages/core/src/agents/probe.ts", 'import "../../../local/src/LocalRuntime";'],
    ["packages/core/tests/unit/probe.ts", 'import "@amelia/local/src/LocalRuntime";'],
    ["packages/core/src/probe.ts", 'import "../../web/src/config";'],
    ["packages/core/src/probe.ts", 'import "../../cli/src/config";'],
    ["packages/functions/src/http/probe.ts", 'import "@amelia/local/src/LocalRuntime";'],
    ["packages/functions/src/http/probe.ts", 'import "../../../local/src/LocalRuntime";'],
  ])("refuses %s: %s", async (filePath, code) => {
    expect(await ruleIds(filePath, code)).toEqual([RESTRICTED]);
  });

  it.each([
    ["packages/functions/src/http/probe.ts", 'import "@amelia/core/errors";'],
    ["packages/local/src/probe.ts", 'import "../../functions/src/version";'],
    ["packages/core/src/probe.ts", 'import "./errors";'],
  ])("allows %s: %s", async (filePath, code) => {
    expect(await ruleIds(filePath, code)).toEqual([]);
  });
});

describe("import cycles", () => {
  it("refuses a module that imports one of its importers", async () => {
    // validation.ts imports errors.ts, so errors.ts importing validation.ts closes a cycle.
    const code = 'import { parseInput } from "./validation";\nexport const probe = parseInput;\n';
    expect(await ruleIds("packages/core/src/errors.ts", code)).toEqual(["import-x/no-cycle"]);
  });
});
