import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  READ_TOOLS,
  runWorkspaceTool,
  workspaceToolDefinitions,
  WRITE_TOOLS,
} from "../../../../src/agents/anthropic/workspaceTools";
import { quoteUntrusted } from "../../../../src/agents/prompts/untrustedData";
import {
  isolateGitConfig,
  removeTempDirs,
  workspaceWithOutside,
  writeFiles,
} from "../../workspace/gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

/** A fresh repository per test, and a directory outside it that nothing may reach. */
let where: ReturnType<typeof workspaceWithOutside>;
beforeEach(() => {
  where = workspaceWithOutside();
});

const run = (name: Parameters<typeof runWorkspaceTool>[1], input: unknown) =>
  runWorkspaceTool(where.workspace, name, input);

describe("the developer's workspace tools", () => {
  it("describe themselves to the model with the schemas that check their input", () => {
    expect(workspaceToolDefinitions(READ_TOOLS).map((t) => t.name)).toEqual([
      "list_files",
      "read_file",
      "search_files",
    ]);
    const [edit] = workspaceToolDefinitions(["edit_file"]);
    expect(edit?.input_schema).toMatchObject({
      type: "object",
      required: ["path", "old_text", "new_text"],
      additionalProperties: false,
    });
    expect(edit?.input_schema).not.toHaveProperty("$schema");
    expect(WRITE_TOOLS).toHaveLength(6);
  });

  it("list, read (in line windows) and search the files", async () => {
    writeFiles(where.repo, { "src/long.txt": "a\nb\nc\nd\n", "docs/guide.md": "Answer: 42\n" });
    expect(await run("list_files", { directory: "src" })).toEqual({
      content: `2 files under src\n${quoteUntrusted("file list", "src/index.ts\nsrc/long.txt")}`,
      isError: false,
    });
    expect((await run("read_file", { path: "src/long.txt", offset: 2, limit: 2 })).content).toBe(
      quoteUntrusted("file", "b\nc"),
    );
    expect((await run("search_files", { text: "ANSWER", ignore_case: true })).content).toBe(
      quoteUntrusted(
        "search results",
        "docs/guide.md:1: Answer: 42\nsrc/index.ts:1: export const answer = 42;",
      ),
    );
    expect(await run("search_files", { text: "nowhere" })).toEqual({
      content: 'No match for "nowhere"',
      isError: false,
    });
  });

  it("create, edit by exact replacement, and delete files", async () => {
    expect(await run("create_file", { path: "src/new.ts", content: "x = 1;\nx = 1;\n" })).toEqual({
      content: "Created src/new.ts",
      isError: false,
    });
    expect(await run("create_file", { path: "src/new.ts", content: "" })).toMatchObject({
      isError: true,
      content: expect.stringContaining("already exists"),
    });
    expect(
      await run("edit_file", { path: "src/new.ts", old_text: "x = 1;", new_text: "y" }),
    ).toMatchObject({ isError: true, content: expect.stringContaining("occurs 2 times") });
    expect(
      await run("edit_file", { path: "src/new.ts", old_text: "z", new_text: "y" }),
    ).toMatchObject({ isError: true, content: expect.stringContaining("was not found") });
    expect(
      await run("edit_file", {
        path: "src/new.ts",
        old_text: "x = 1;",
        new_text: "y = 2;",
        replace_all: true,
      }),
    ).toEqual({ content: "Edited src/new.ts (2 replacements)", isError: false });
    expect(readFileSync(join(where.repo, "src/new.ts"), "utf8")).toBe("y = 2;\ny = 2;\n");
    expect(await run("delete_file", { path: "src/new.ts" })).toEqual({
      content: "Deleted src/new.ts",
      isError: false,
    });
    expect(await run("delete_file", { path: "src/new.ts" })).toEqual({
      content: "No file src/new.ts",
      isError: true,
    });
  });

  it("refuse paths that leave the workspace, as errors the model can act on", async () => {
    symlinkSync(where.outside, join(where.repo, "linked"));
    const attempts = [
      run("read_file", { path: "../outside/secret.txt" }),
      run("read_file", { path: "/etc/passwd" }),
      run("read_file", { path: "linked/secret.txt" }),
      run("create_file", { path: "linked/planted.txt", content: "x" }),
      run("edit_file", { path: ".git/config", old_text: "a", new_text: "b" }),
      run("delete_file", { path: "linked/secret.txt" }),
    ];
    for (const outcome of await Promise.all(attempts)) {
      expect(outcome.isError).toBe(true);
      expect(outcome.content).toMatch(/^Refused path/);
    }
    expect(readFileSync(join(where.outside, "secret.txt"), "utf8")).toBe("secret\n");
    expect(existsSync(join(where.outside, "planted.txt"))).toBe(false);
  });

  it("refuse changes to GitHub Actions workflows unless the setting allows them", async () => {
    writeFiles(where.repo, { ".github/workflows/ci.yml": "on: push\n" });
    const attempts = [
      run("create_file", { path: ".github/workflows/x.yml", content: "on: push\n" }),
      run("create_file", { path: ".GitHub/Workflows/y.yml", content: "on: push\n" }),
      run("edit_file", { path: ".github/workflows/ci.yml", old_text: "push", new_text: "pr" }),
      run("delete_file", { path: "./.github//workflows/ci.yml" }),
    ];
    for (const outcome of await Promise.all(attempts)) {
      expect(outcome.isError).toBe(true);
      expect(outcome.content).toMatch(
        /^Refused .*: agents may not change the repository's GitHub Actions workflows \(\.github\/workflows\/\)/,
      );
    }
    expect(readFileSync(join(where.repo, ".github/workflows/ci.yml"), "utf8")).toBe("on: push\n");
    expect(() => readFileSync(join(where.repo, ".github/workflows/x.yml"))).toThrow();
    // Reading them is fine, and so is the rest of .github.
    expect((await run("read_file", { path: ".github/workflows/ci.yml" })).isError).toBe(false);
    expect((await run("create_file", { path: ".github/CODEOWNERS", content: "*\n" })).isError).toBe(
      false,
    );

    const allowed = await runWorkspaceTool(
      where.workspace,
      "create_file",
      { path: ".github/workflows/x.yml", content: "on: push\n" },
      { allowWorkflowEdits: true },
    );
    expect(allowed).toEqual({ content: "Created .github/workflows/x.yml", isError: false });
    expect(readFileSync(join(where.repo, ".github/workflows/x.yml"), "utf8")).toBe("on: push\n");
  });

  it("answer bad input with the problem, not a crash", async () => {
    expect(await run("read_file", { file: "README.md" })).toEqual({
      content: expect.stringMatching(/^Invalid input for read_file: path: .*; input: .*file/),
      isError: true,
    });
    expect(await run("read_file", { path: "missing.md" })).toEqual({
      content: "Could not read missing.md: no such file",
      isError: true,
    });
  });
});
