import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";
import { WorkspaceError } from "../../errors";
import { normalizeWorkspacePath } from "../../workspace/paths";
import { binaryFileError, looksBinary } from "../../workspace/textFiles";
import type { Workspace } from "../../workspace/Workspace";
import { quoteUntrusted } from "../prompts/untrustedData";
import type { ToolOutcome } from "../AgentDriver";
import { toolInputSchema } from "./toolSchema";

/** What the person allows the agents to change beyond ordinary files. */
export interface ToolPolicy {
  /** GitHub Actions workflows (`.github/workflows/`): CI runs them with the repository's secrets. */
  allowWorkflowEdits: boolean;
}

const WORKFLOWS_DIRECTORY = ".github/workflows";

const MAX_LISTED_FILES = 2_000;
/** What one read_file answer shows at most: the file is read no further. */
const MAX_READ_BYTES = 100_000;
/** How much of a file one read asks for while it looks for the lines wanted. */
const READ_CHUNK_BYTES = 64 * 1024;
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
  read_file: `Read a text file. Answers show at most ${MAX_READ_BYTES} bytes: read the rest of a long file with offset and limit (in lines). Binary files cannot be read.`,
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
    const first = offset ?? 1;
    const window = await readLines(workspace, path, first, limit);
    const quoted = quoteUntrusted("file", window.text);
    if (window.cutAtLine === undefined) return ok(quoted);
    const next =
      window.cutAtLine > first
        ? `read on with offset ${window.cutAtLine}`
        : `line ${first} alone is longer than that: only its start can be shown`;
    return ok(
      `${quoted}\n[cut off after ${MAX_READ_BYTES} bytes: the file has ${window.size} bytes; ${next}]`,
    );
  },

  async search_files(workspace, { text, directory, ignore_case }) {
    const needle = ignore_case ? text.toLowerCase() : text;
    const matches: string[] = [];
    let total = 0;
    let tooLarge = 0;
    for (const file of under(await workspace.listFiles(), directory)) {
      const content = await searchableText(workspace, file);
      if (content === "too large") tooLarge += 1;
      if (typeof content !== "string") continue;
      content.split("\n").forEach((line, index) => {
        if (!(ignore_case ? line.toLowerCase() : line).includes(needle)) return;
        total += 1;
        if (matches.length < MAX_SEARCH_MATCHES) {
          matches.push(`${file}:${index + 1}: ${line.slice(0, MAX_MATCH_LINE_CHARS)}`);
        }
      });
    }
    const skipped =
      tooLarge > 0
        ? `\n(${tooLarge} file${tooLarge === 1 ? "" : "s"} larger than ${MAX_SEARCHED_FILE_BYTES} bytes not searched: read them with read_file)`
        : "";
    if (total === 0) return ok(`No match for ${JSON.stringify(text)}${skipped}`);
    const more = total - matches.length;
    return ok(
      quoteUntrusted("search results", matches.join("\n")) +
        (more > 0 ? `\n…and ${more} more matches: narrow the search` : "") +
        skipped,
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

/** A file's lines `first` to `first + limit - 1` (all to the end without a limit). */
interface LineWindow {
  text: string;
  /** The file's size in bytes. */
  size: number;
  /** The line the answer was cut in, when it hit MAX_READ_BYTES. */
  cutAtLine?: number;
}

/**
 * Reads a file from its start in chunks, only as far as the lines asked for (and at most
 * MAX_READ_BYTES of them): the lines before `first` are read and dropped, nothing after the
 * answer is read. Refuses a binary file, and never decodes one.
 */
async function readLines(
  workspace: Workspace,
  path: string,
  first: number,
  limit: number | undefined,
): Promise<LineWindow> {
  const end = limit === undefined ? Infinity : first + limit;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const kept: string[] = [];
  let keptBytes = 0;
  let line = 1;
  let position = 0;
  for (;;) {
    const room = line >= first ? MAX_READ_BYTES - keptBytes : READ_CHUNK_BYTES;
    const { bytes, size } = await workspace.readBytes(
      path,
      position,
      Math.min(READ_CHUNK_BYTES, room),
    );
    position += bytes.length;
    const atEnd = position >= size;
    let text: string;
    try {
      if (bytes.includes(0)) throw new TypeError("NUL byte");
      text = decoder.decode(bytes, { stream: !atEnd });
    } catch {
      throw binaryFileError(path, size);
    }
    const pieces = text.split("\n");
    for (const [index, piece] of pieces.entries()) {
      const inWindow = line >= first && line < end;
      if (inWindow) {
        // A line that goes on in the next chunk is continued, not started again.
        if (index === 0 && kept.length > 0 && line === first + kept.length - 1) {
          kept[kept.length - 1] += piece;
        } else {
          kept.push(piece);
        }
        keptBytes += Buffer.byteLength(piece) + (index < pieces.length - 1 ? 1 : 0);
      }
      if (index < pieces.length - 1) line += 1;
      if (line >= end) return { text: kept.join("\n"), size };
    }
    if (atEnd) return { text: kept.join("\n"), size };
    if (line >= first && keptBytes >= MAX_READ_BYTES) {
      return { text: clipBytes(kept.join("\n"), MAX_READ_BYTES), size, cutAtLine: line };
    }
  }
}

/** The first `limit` bytes of a text, without a character cut in half. */
function clipBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= limit) return text;
  return new TextDecoder().decode(bytes.subarray(0, limit)).replace(/\uFFFD+$/, "");
}

/** A file's text for a search; "too large" or undefined (binary, unreadable) when it has none. */
async function searchableText(
  workspace: Workspace,
  path: string,
): Promise<string | "too large" | undefined> {
  try {
    const { size } = await workspace.readBytes(path, 0, 0);
    if (size > MAX_SEARCHED_FILE_BYTES) return "too large";
    const { bytes } = await workspace.readBytes(path, 0, size);
    return looksBinary(bytes) ? undefined : bytes.toString("utf8");
  } catch (caught) {
    if (caught instanceof WorkspaceError) return undefined;
    throw caught;
  }
}

/** Something is there; anything else the following write reports in its own words. */
function exists(workspace: Workspace, path: string): Promise<boolean> {
  return workspace.readBytes(path, 0, 0).then(
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
