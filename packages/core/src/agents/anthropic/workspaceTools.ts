import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";
import { WorkspaceError } from "../../errors";
import { normalizeWorkspacePath } from "../../workspace/paths";
import type { Workspace } from "../../workspace/Workspace";
import { quoteUntrusted } from "../prompts/untrustedData";
import { toolInputSchema } from "./toolSchema";

/** What a tool call gives back to the model; an error result lets it correct itself. */
export interface ToolOutcome {
  content: string;
  isError: boolean;
}

/** What the person allows the agents to change beyond ordinary files. */
export interface ToolPolicy {
  /** GitHub Actions workflows (`.github/workflows/`): CI runs them with the repository's secrets. */
  allowWorkflowEdits: boolean;
}

const WORKFLOWS_DIRECTORY = ".github/workflows";

const MAX_LISTED_FILES = 2_000;
const MAX_READ_CHARS = 100_000;
const MAX_SEARCH_MATCHES = 200;
const MAX_SEARCHED_FILE_BYTES = 1_000_000;
const MAX_MATCH_LINE_CHARS = 300;

const path = z.string().min(1).describe("Path relative to the repository root, with / separators");

const inputs = {
  list_files: z.strictObject({
    directory: z.string().optional().describe("Only list files under this directory"),
  }),
  read_file: z.strictObject({
    path,
    offset: z.number().int().positive().optional().describe("First line to read (1-based)"),
    limit: z.number().int().positive().optional().describe("How many lines to read"),
  }),
  search_files: z.strictObject({
    text: z.string().min(1).describe("Text to find (plain text, not a regular expression)"),
    directory: z.string().optional().describe("Only search files under this directory"),
    ignore_case: z.boolean().optional(),
  }),
  create_file: z.strictObject({ path, content: z.string() }),
  edit_file: z.strictObject({
    path,
    old_text: z.string().min(1).describe("Exact text to replace, including whitespace"),
    new_text: z.string(),
    replace_all: z
      .boolean()
      .optional()
      .describe("Replace every occurrence; otherwise old_text must occur exactly once"),
  }),
  delete_file: z.strictObject({ path }),
} as const;

export type WorkspaceToolName = keyof typeof inputs;

const DESCRIPTIONS: Record<WorkspaceToolName, string> = {
  list_files: "List the repository's files (tracked and untracked, not ignored), sorted.",
  read_file:
    "Read a text file. Long files are cut off: read the rest with offset and limit (in lines).",
  search_files:
    "Find a plain-text string in the repository's files; answers path:line: text for each match.",
  create_file: "Create a new file with the given content. Fails if the file already exists.",
  edit_file:
    "Replace old_text with new_text in a file. old_text must match exactly once, unless " +
    "replace_all is true. Include enough surrounding lines to make it unique.",
  delete_file: "Delete a file.",
};

export const READ_TOOLS: readonly WorkspaceToolName[] = ["list_files", "read_file", "search_files"];
export const WRITE_TOOLS: readonly WorkspaceToolName[] = [
  ...READ_TOOLS,
  "create_file",
  "edit_file",
  "delete_file",
];

const WRITE_ONLY = new Set<WorkspaceToolName>(["create_file", "edit_file", "delete_file"]);

/** A path under `.github/workflows/` (any case: some file systems ignore it). */
function isWorkflowFile(path: string): boolean {
  const normalized = normalizeWorkspacePath(path).toLowerCase();
  return normalized === WORKFLOWS_DIRECTORY || normalized.startsWith(`${WORKFLOWS_DIRECTORY}/`);
}

export function isWorkspaceTool(name: string): name is WorkspaceToolName {
  return name in inputs;
}

/** Tool definitions for the Messages API, from the same schemas that validate the calls. */
export function workspaceToolDefinitions(names: readonly WorkspaceToolName[]): Tool[] {
  return names.map((name) => ({
    name,
    description: DESCRIPTIONS[name],
    input_schema: toolInputSchema(inputs[name]),
  }));
}

/**
 * Runs one workspace tool call. Every path goes through the workspace, which refuses `..`,
 * absolute paths, `.git` and symlinks that leave it (seed 001 §20.2); such a refusal, bad input,
 * or a missing file is an error result the model can act on, never a failed stage.
 */
export async function runWorkspaceTool(
  workspace: Workspace,
  name: WorkspaceToolName,
  rawInput: unknown,
  policy: ToolPolicy = { allowWorkflowEdits: false },
): Promise<ToolOutcome> {
  const parsed = inputs[name].safeParse(rawInput);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`);
    return error(`Invalid input for ${name}: ${problems.join("; ")}`);
  }
  try {
    const input = parsed.data as { path?: string };
    if (WRITE_ONLY.has(name) && input.path !== undefined && !policy.allowWorkflowEdits) {
      if (isWorkflowFile(input.path)) {
        return error(
          `Refused ${input.path}: agents may not change the repository's GitHub Actions ` +
            `workflows (${WORKFLOWS_DIRECTORY}/), which CI runs with the repository's secrets. ` +
            "Leave them as they are, and say in your summary what should change there.",
        );
      }
    }
    return await TOOLS[name](workspace, parsed.data as never);
  } catch (caught) {
    if (caught instanceof WorkspaceError) return error(caught.message);
    throw caught;
  }
}

type Input<N extends WorkspaceToolName> = z.infer<(typeof inputs)[N]>;

const TOOLS: {
  [N in WorkspaceToolName]: (workspace: Workspace, input: Input<N>) => Promise<ToolOutcome>;
} = {
  async list_files(workspace, { directory }) {
    const files = under(await workspace.listFiles(), directory);
    const shown = files.slice(0, MAX_LISTED_FILES);
    const more = files.length - shown.length;
    return ok(
      `${files.length} files${directory ? ` under ${directory}` : ""}\n` +
        quoteUntrusted("file list", shown.join("\n")) +
        (more > 0 ? `\n…and ${more} more: list a directory to see them` : ""),
    );
  },

  async read_file(workspace, { path, offset, limit }) {
    const text = await workspace.readFile(path);
    const lines = text.split("\n");
    const first = offset ?? 1;
    const selected =
      offset === undefined && limit === undefined
        ? text
        : lines.slice(first - 1, limit === undefined ? undefined : first - 1 + limit).join("\n");
    if (selected.length <= MAX_READ_CHARS) return ok(quoteUntrusted("file", selected));
    const shown = selected.slice(0, MAX_READ_CHARS);
    const shownLines = shown.split("\n").length;
    return ok(
      `${quoteUntrusted("file", shown)}\n[cut off after ${MAX_READ_CHARS} characters: the file has ${lines.length} lines; ` +
        `read on with offset ${first + shownLines - 1}]`,
    );
  },

  async search_files(workspace, { text, directory, ignore_case }) {
    const needle = ignore_case ? text.toLowerCase() : text;
    const matches: string[] = [];
    let total = 0;
    for (const file of under(await workspace.listFiles(), directory)) {
      const content = await workspace.readFile(file).catch(() => undefined);
      if (content === undefined || content.length > MAX_SEARCHED_FILE_BYTES) continue;
      if (content.includes("\0")) continue; // binary
      content.split("\n").forEach((line, index) => {
        if (!(ignore_case ? line.toLowerCase() : line).includes(needle)) return;
        total += 1;
        if (matches.length < MAX_SEARCH_MATCHES) {
          matches.push(`${file}:${index + 1}: ${line.slice(0, MAX_MATCH_LINE_CHARS)}`);
        }
      });
    }
    if (total === 0) return ok(`No match for ${JSON.stringify(text)}`);
    const more = total - matches.length;
    return ok(
      quoteUntrusted("search results", matches.join("\n")) +
        (more > 0 ? `\n…and ${more} more matches: narrow the search` : ""),
    );
  },

  async create_file(workspace, { path, content }) {
    if (await exists(workspace, path)) {
      return error(`${path} already exists: use edit_file to change it`);
    }
    await workspace.writeFile(path, content);
    return ok(`Created ${path}`);
  },

  async edit_file(workspace, { path, old_text, new_text, replace_all }) {
    const content = await workspace.readFile(path);
    const count = content.split(old_text).length - 1;
    if (count === 0)
      return error(`old_text was not found in ${path}: read the file and copy it exactly`);
    if (count > 1 && !replace_all) {
      return error(
        `old_text occurs ${count} times in ${path}: include more surrounding text, or set replace_all`,
      );
    }
    await workspace.writeFile(path, content.split(old_text).join(new_text));
    return ok(`Edited ${path} (${count} replacement${count === 1 ? "" : "s"})`);
  },

  async delete_file(workspace, { path }) {
    return (await workspace.deleteFile(path)) ? ok(`Deleted ${path}`) : error(`No file ${path}`);
  },
};

function under(files: string[], directory: string | undefined): string[] {
  const prefix = directory?.replace(/^\.?\/+|\/+$/g, "");
  return prefix ? files.filter((file) => file.startsWith(`${prefix}/`)) : files;
}

/** Readable means it exists; anything else the following write reports in its own words. */
function exists(workspace: Workspace, path: string): Promise<boolean> {
  return workspace.readFile(path).then(
    () => true,
    (caught: unknown) => {
      if (caught instanceof WorkspaceError) return false;
      throw caught;
    },
  );
}

function ok(content: string): ToolOutcome {
  return { content, isError: false };
}

function error(content: string): ToolOutcome {
  return { content, isError: true };
}
