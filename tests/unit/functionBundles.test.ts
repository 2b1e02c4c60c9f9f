import { describe, expect, it } from "vitest";
import { bundle } from "../bench/bundleSizes";

const MODEL_SDKS = [
  "@anthropic-ai/sdk",
  "@anthropic-ai/bedrock-sdk",
  "@aws-sdk/client-bedrock-runtime",
];
const GITHUB = ["@octokit/rest", "@octokit/core"];
const STEP_FUNCTIONS = ["@aws-sdk/client-sfn"];

/** The npm packages whose files are in a bundle. */
async function packagesIn(handler: string): Promise<Set<string>> {
  const { inputs } = await bundle(`packages/functions/src/${handler}.handler`);
  const names = inputs.map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1]);
  return new Set(names.filter((name) => name !== undefined));
}

describe("what each function bundles", () => {
  it.each([
    ["http/health", [...MODEL_SDKS, ...GITHUB, ...STEP_FUNCTIONS]],
    ["http/getWorkflow", [...MODEL_SDKS, ...GITHUB, ...STEP_FUNCTIONS, "@aws-sdk/client-ssm"]],
    ["ws/subscribe", [...MODEL_SDKS, ...GITHUB, ...STEP_FUNCTIONS]],
    ["http/approveWorkflow", [...MODEL_SDKS, ...GITHUB]],
    ["http/createWorkflow", MODEL_SDKS],
  ])("%s holds none of what it never reaches", async (handler, unreached) => {
    const packages = await packagesIn(handler);
    expect(unreached.filter((name) => packages.has(name))).toEqual([]);
  });

  it("an agent holds the model's SDK and GitHub's client", async () => {
    const packages = await packagesIn("agents/developer");
    for (const name of ["@anthropic-ai/sdk", "@octokit/rest"]) expect(packages).toContain(name);
  });
});
