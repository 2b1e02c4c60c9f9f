import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeInstructions,
  loadRepositoryInstructions,
  MAX_INSTRUCTIONS_BYTES,
  planNamingInstructions,
} from "../../../src/agents/repositoryInstructions";
import type { FileBytes, Workspace } from "../../../src/workspace/Workspace";
import { isolateGitConfig, removeTempDirs, workspaceWithOutside } from "../workspace/gitFixture";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

/** A local workspace holding `files` (written, not committed: the workspace lists them anyway). */
async function workspaceWith(files: Record<string, string | Buffer>) {
  const { repo, outside, workspace } = workspaceWithOutside();
  for (const [path, content] of Object.entries(files)) {
    writeFileSync(join(repo, path), content);
  }
  return { repo, outside, workspace };
}

async function load(workspace: Workspace) {
  return loadRepositoryInstructions(workspace, await workspace.listFiles());
}

describe("finding the repository's instructions", () => {
  it("takes the first file of the order: .amelia/instructions.md, AGENTS.md, CLAUDE.md, then Copilot's", async () => {
    const { workspace } = await workspaceWith({
      "AGENTS.md": "Use tabs.\n",
      "CLAUDE.md": "Use spaces.\n",
    });
    expect(await load(workspace)).toEqual({
      instructions: { path: "AGENTS.md", text: "Use tabs.\n", truncated: false, bytes: 10 },
      skipped: [],
    });

    await workspace.writeFile(".amelia/instructions.md", "Amelia: run npm test.\n");
    expect((await load(workspace)).instructions?.path).toBe(".amelia/instructions.md");

    const copilot = await workspaceWith({});
    mkdirSync(join(copilot.repo, ".github"));
    writeFileSync(join(copilot.repo, ".github/copilot-instructions.md"), "Copilot.\n");
    expect((await load(copilot.workspace)).instructions).toMatchObject({
      path: ".github/copilot-instructions.md",
      text: "Copilot.\n",
    });
  });

  it("finds nothing, and notes nothing, in a repository without any", async () => {
    const { workspace } = await workspaceWith({ "agents.txt": "not an instructions file\n" });
    expect(await load(workspace)).toEqual({ skipped: [] });
  });

  it("only looks at the root: a nested AGENTS.md is not the repository's", async () => {
    const { repo, workspace } = await workspaceWith({});
    mkdirSync(join(repo, "docs"));
    writeFileSync(join(repo, "docs/AGENTS.md"), "nested\n");
    expect(await load(workspace)).toEqual({ skipped: [] });
  });

  it("cuts a 100 KB file to 32 KB, saying how large the whole is", async () => {
    const line = "- Keep functions short and name them for what they do.\n";
    const content = line.repeat(Math.ceil((100 * 1024) / line.length)).slice(0, 100 * 1024);
    const { workspace } = await workspaceWith({ "CLAUDE.md": content });
    const { instructions } = await load(workspace);
    expect(instructions).toEqual({
      path: "CLAUDE.md",
      text: content.slice(0, MAX_INSTRUCTIONS_BYTES),
      truncated: true,
      bytes: 100 * 1024,
    });
  });

  it("cuts at a character boundary, never inside a multi-byte character", async () => {
    // "a" then two-byte characters: byte 32,768 is the second byte of one, which is dropped whole.
    const content = `a${"é".repeat(MAX_INSTRUCTIONS_BYTES)}`;
    const { workspace } = await workspaceWith({ "AGENTS.md": content });
    const { instructions } = await load(workspace);
    expect(instructions?.truncated).toBe(true);
    expect(instructions?.text).toBe(`a${"é".repeat((MAX_INSTRUCTIONS_BYTES - 2) / 2)}`);
    expect(Buffer.byteLength(instructions?.text ?? "")).toBe(MAX_INSTRUCTIONS_BYTES - 1);
    expect(instructions?.bytes).toBe(Buffer.byteLength(content));
  });

  it("reads no more than 32 KB of the file, however large it is", async () => {
    const reads: number[] = [];
    const huge: Pick<Workspace, "readBytes"> = {
      async readBytes(_path, position, length): Promise<FileBytes> {
        reads.push(position, length);
        return { bytes: Buffer.alloc(length, "x"), size: 50 * 1024 * 1024, executable: false };
      },
    };
    const { instructions } = await loadRepositoryInstructions(huge, ["AGENTS.md"]);
    expect(reads).toEqual([0, MAX_INSTRUCTIONS_BYTES]);
    expect(instructions).toMatchObject({ truncated: true, bytes: 50 * 1024 * 1024 });
    expect(instructions?.text).toHaveLength(MAX_INSTRUCTIONS_BYTES);
  });

  it("skips a binary or empty file with a note and takes the next one", async () => {
    const { workspace } = await workspaceWith({
      "AGENTS.md": Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]),
      "CLAUDE.md": " \n\n",
    });
    const notUtf8 = await workspaceWith({ "AGENTS.md": Buffer.from([0xff, 0xfe, 0x41]) });
    expect(await load(notUtf8.workspace)).toEqual({
      skipped: [{ path: "AGENTS.md", reason: "it is a binary file (3 bytes)" }],
    });
    expect(await load(workspace)).toEqual({
      skipped: [
        { path: "AGENTS.md", reason: "it is a binary file (6 bytes)" },
        { path: "CLAUDE.md", reason: "it is empty" },
      ],
    });
  });

  it("skips a symlink that leaves the workspace, with the workspace's refusal as the note", async () => {
    const { repo, outside, workspace } = await workspaceWith({ "CLAUDE.md": "Inside.\n" });
    symlinkSync(join(outside, "secret.txt"), join(repo, "AGENTS.md"));
    const { instructions, skipped } = await load(workspace);
    expect(skipped).toEqual([
      {
        path: "AGENTS.md",
        reason: 'Refused path "AGENTS.md": it resolves outside the workspace',
      },
    ]);
    expect(instructions).toMatchObject({ path: "CLAUDE.md", text: "Inside.\n" });
  });

  it("takes a symlink to a file inside the workspace", async () => {
    const { repo, workspace } = await workspaceWith({ "CONVENTIONS.md": "Be kind.\n" });
    symlinkSync("CONVENTIONS.md", join(repo, "AGENTS.md"));
    expect((await load(workspace)).instructions).toMatchObject({
      path: "AGENTS.md",
      text: "Be kind.\n",
    });
  });

  it("lets a failure that is not the file's own (GitHub unreachable) through, so the stage is retried", async () => {
    const unreachable: Pick<Workspace, "readBytes"> = {
      readBytes: () => Promise.reject(new Error("502 Bad Gateway")),
    };
    await expect(loadRepositoryInstructions(unreachable, ["AGENTS.md"])).rejects.toThrow(
      "502 Bad Gateway",
    );
  });
});

describe("decoding the instructions", () => {
  it("decodes UTF-8, drops a character the cut split, and refuses binary bytes", () => {
    const euro = Buffer.from("€", "utf8"); // three bytes
    const text = Buffer.concat([Buffer.from("price: "), euro]);
    expect(decodeInstructions(text, false)).toBe("price: €");
    expect(decodeInstructions(text.subarray(0, text.length - 1), true)).toBe("price: ");
    // Not cut, the same incomplete character is not UTF-8.
    expect(decodeInstructions(text.subarray(0, text.length - 1), false)).toBeUndefined();
    expect(decodeInstructions(Buffer.from("a\0b"), false)).toBeUndefined();
    expect(decodeInstructions(Buffer.from([0xc3, 0x28]), true)).toBeUndefined();
  });
});

describe("the plan names the instructions file", () => {
  it("adds the line when the plan does not name the file as the instructions", () => {
    expect(planNamingInstructions("# Plan\n\n1. Do it.", "AGENTS.md")).toBe(
      "# Plan\n\n1. Do it.\n\nRepository instructions: AGENTS.md",
    );
    // A mention of the file that does not say it is the instructions is not the line.
    expect(planNamingInstructions("# Plan\n\n1. Update AGENTS.md.\n", "AGENTS.md")).toBe(
      "# Plan\n\n1. Update AGENTS.md.\n\nRepository instructions: AGENTS.md\n",
    );
  });

  it("keeps a plan that names it already", () => {
    const plan = "# Plan\n\n1. Do it.\n\n_Repository instructions_: `CLAUDE.md`\n";
    expect(planNamingInstructions(plan, "CLAUDE.md")).toBe(plan);
  });
});
