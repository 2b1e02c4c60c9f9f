import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  READ_TOOLS,
  runWorkspaceTool,
  workspaceToolDefinitions,
  WRITE_TOOLS,
} from "../../../../src/agents/anthropic/workspaceTools";
import { quoteUntrusted } from "../../../../src/agents/prompts/untrustedData";
import type { Workspace } from "../../../../src/workspace/Workspace";
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

  it("read no more of a large file than they show, and say where it was cut and how big it is", async () => {
    // 5 MB of 16-byte lines: line n is "line 000000000n".
    const lines = (5 * 1024 * 1024) / 16;
    const big = Array.from(
      { length: lines },
      (_, i) => `line ${String(i + 1).padStart(10, "0")}\n`,
    );
    writeFileSync(join(where.repo, "big.log"), big.join(""));
    const counted = countingReads(where.workspace);

    const outcome = await runWorkspaceTool(counted.workspace, "read_file", { path: "big.log" });
    expect(outcome.isError).toBe(false);
    expect(outcome.content).toBe(
      quoteUntrusted("file", big.slice(0, 6250).join("")) +
        "\n[cut off after 100000 bytes: the file has 5242880 bytes; read on with offset 6251]",
    );
    expect(counted.bytes()).toBe(100_000);

    const next = await runWorkspaceTool(counted.workspace, "read_file", {
      path: "big.log",
      offset: 6251,
      limit: 2,
    });
    expect(next.content).toBe(quoteUntrusted("file", "line 0000006251\nline 0000006252"));
    // The lines before the window are read and dropped; nothing after the window is read.
    expect(counted.bytes() - 100_000).toBeLessThanOrEqual(6252 * 16 + 64 * 1024);

    // Searching skips it without reading it.
    const before = counted.bytes();
    const search = await runWorkspaceTool(counted.workspace, "search_files", {
      text: "line 0000000001",
    });
    expect(search.content).toBe(
      'No match for "line 0000000001"\n(1 file larger than 1000000 bytes not searched: read them with read_file)',
    );
    expect(counted.bytes() - before).toBeLessThan(1_000);
  });

  it("refuse binary files: never shown, searched, edited or overwritten as text", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    writeFileSync(join(where.repo, "logo.png"), png);
    writeFileSync(join(where.repo, "latin1.txt"), Buffer.from("caf\xe9 = coffee\n", "latin1"));
    for (const path of ["logo.png", "latin1.txt"]) {
      const size = readFileSync(join(where.repo, path)).length;
      expect(await run("read_file", { path })).toEqual({
        content: `Could not read ${path}: it is a binary file (${size} bytes); only text files can be read or edited`,
        isError: true,
      });
      expect(await run("edit_file", { path, old_text: "caf", new_text: "tea" })).toMatchObject({
        isError: true,
        content: expect.stringContaining("binary file"),
      });
      expect(await run("create_file", { path, content: "text" })).toMatchObject({
        isError: true,
        content: expect.stringContaining("already exists"),
      });
    }
    expect(await run("search_files", { text: "caf" })).toEqual({
      content: 'No match for "caf"',
      isError: false,
    });
    expect(readFileSync(join(where.repo, "logo.png"))).toEqual(png);
    expect(readFileSync(join(where.repo, "latin1.txt"), "latin1")).toBe("caf\xe9 = coffee\n");
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

/** The workspace, counting every byte read out of its files. */
function countingReads(workspace: Workspace) {
  let bytes = 0;
  const counting = Object.create(workspace) as Workspace;
  counting.readBytes = async (path, position, length) => {
    const read = await workspace.readBytes(path, position, length);
    bytes += read.bytes.length;
    return read;
  };
  counting.readFile = async () => {
    throw new Error("a whole file was read");
  };
  return { workspace: counting, bytes: () => bytes };
}
