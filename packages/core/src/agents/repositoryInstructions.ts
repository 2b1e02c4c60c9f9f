import { WorkspaceError } from "../errors";
import type { Workspace } from "../workspace/Workspace";
import type { RepositoryInstructions } from "./AgentDriver";

/**
 * The files a repository keeps for coding agents, at its root, in the order they are looked for:
 * Amelia's own first, then the ones other agents read (OpenHands and Codex, Claude, Copilot).
 */
export const INSTRUCTION_FILES = [
  ".amelia/instructions.md",
  "AGENTS.md",
  "CLAUDE.md",
  ".github/copilot-instructions.md",
] as const;

/** At most this much of the file reaches the agents: it is in every request of every stage. */
export const MAX_INSTRUCTIONS_BYTES = 32 * 1024;

/** A candidate that was there but could not be used, and why. */
export interface SkippedInstructions {
  path: string;
  reason: string;
}

export interface LoadedInstructions {
  instructions?: RepositoryInstructions;
  skipped: SkippedInstructions[];
}

/**
 * The repository's instructions: the first of `INSTRUCTION_FILES` among `files` that is usable
 * text, read through the workspace (so the workspace's confinement applies) and no further than
 * `MAX_INSTRUCTIONS_BYTES`. A candidate that is binary, empty or refused by the workspace is
 * skipped, and the next one tried; other failures (GitHub unreachable) are thrown, so the stage is
 * retried rather than run without them.
 */
export async function loadRepositoryInstructions(
  workspace: Pick<Workspace, "readBytes">,
  files: readonly string[],
): Promise<LoadedInstructions> {
  const present = new Set(files);
  const skipped: SkippedInstructions[] = [];
  for (const path of INSTRUCTION_FILES) {
    if (!present.has(path)) continue;
    try {
      const { bytes, size } = await workspace.readBytes(path, 0, MAX_INSTRUCTIONS_BYTES);
      const text = decodeInstructions(bytes, size > bytes.length);
      if (text === undefined) {
        skipped.push({ path, reason: `it is a binary file (${size} bytes)` });
      } else if (text.trim() === "") {
        skipped.push({ path, reason: "it is empty" });
      } else {
        return {
          instructions: { path, text, truncated: size > bytes.length, bytes: size },
          skipped,
        };
      }
    } catch (error) {
      if (!(error instanceof WorkspaceError)) throw error;
      skipped.push({ path, reason: error.message });
    }
  }
  return { skipped };
}

/**
 * The bytes as text, or undefined when they are binary (a NUL byte, or not UTF-8). A cut file may
 * end inside a character: that character is dropped, so the text ends at a character boundary.
 */
export function decodeInstructions(bytes: Uint8Array, cut: boolean): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    // Streaming, the decoder holds back a sequence the cut left incomplete instead of failing.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: cut });
  } catch {
    return undefined;
  }
}

/** How the instructions are described to a person: their file, size, and whether they were cut. */
export function instructionsSummary(instructions: RepositoryInstructions): string {
  const size = `${instructions.bytes.toLocaleString("en-US")} bytes`;
  return instructions.truncated
    ? `${instructions.path} (${size}, cut to the first ${MAX_INSTRUCTIONS_BYTES.toLocaleString("en-US")})`
    : `${instructions.path} (${size})`;
}

/** The plan's line naming the repository's instructions file. */
export function instructionsLine(path: string): string {
  return `Repository instructions: ${path}`;
}

/**
 * The plan, naming the instructions file it was written with: a model may forget the line it was
 * asked for, so it is added when no line of the plan names the file as the instructions.
 */
export function planNamingInstructions(plan: string, path: string): string {
  const named = plan
    .split("\n")
    .some((line) => /repository instructions/i.test(line) && line.includes(path));
  if (named) return plan;
  return `${plan.trimEnd()}\n\n${instructionsLine(path)}${plan.endsWith("\n") ? "\n" : ""}`;
}
