import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { version } from "../../src/version";

const packageJsonPath = fileURLToPath(new URL("../../../../package.json", import.meta.url));
const packageJson = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version: string };

describe("version", () => {
  it("is the repository's package.json version", () => {
    expect(version).toBe(packageJson.version);
  });

  it("bundles as the version string alone, not the whole package.json", async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL("../../src/version.ts", import.meta.url))],
      bundle: true,
      format: "esm",
      write: false,
      logLevel: "silent",
    });
    const bundle = result.outputFiles[0]!.text;
    expect(bundle).toContain(JSON.stringify(packageJson.version));
    expect(bundle).not.toContain("devDependencies");
    expect(bundle).not.toContain("workspaces");
  });
});
