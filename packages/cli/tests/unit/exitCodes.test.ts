import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/exitCodes";
import { run } from "../../src/program";

describe("exit codes", () => {
  it("are distinct", () => {
    const codes = Object.values(EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("are each documented in docs/cli.md and summed up in amelia --help", async () => {
    const docs = await readFile(new URL("../../../../docs/cli.md", import.meta.url), "utf8");
    const help = { text: "", write: (s: string) => (help.text += s) };
    await run(["--help"], { env: {}, cwd: process.cwd(), stdout: help, stderr: help });
    for (const code of Object.values(EXIT_CODES)) {
      expect(docs).toMatch(new RegExp(`^\\| ${code} +\\| \\S`, "m"));
      expect(help.text).toMatch(new RegExp(`\\b${code} [a-z]`));
    }
  });
});
