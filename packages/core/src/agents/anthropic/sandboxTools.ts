import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";
import type { SandboxTools, ToolOutcome } from "../AgentDriver";
import { toolInputSchema } from "./toolSchema";

/** A command run_command takes: its text, within reason. */
const MAX_COMMAND_CHARS = 10_000;

const inputs = {
  run_checks: z.strictObject({
    names: z
      .array(z.string().min(1))
      .optional()
      .describe("Only these checks (by name); all of them when left out"),
  }),
  run_command: z.strictObject({
    command: z
      .string()
      .describe(`A bash command, at most ${MAX_COMMAND_CHARS} characters (e.g. npm test -- src/x)`),
  }),
};

const descriptions: Record<keyof typeof inputs, string> = {
  run_checks:
    "Run the repository's checks in a fresh sandbox on the workspace as it is now (your " +
    "uncommitted edits included): exit code, duration and the end of each check's output.",
  run_command:
    "Run one bash command in a fresh sandbox (no network, no secrets) on the workspace as it " +
    "is now, e.g. one test file; exit code, duration and the end of its output.",
};

/** The tools the agent gets: run_checks for both, run_command for the developer. */
export function sandboxToolDefinitions(sandbox: SandboxTools | undefined): Tool[] {
  if (!sandbox) return [];
  const names: (keyof typeof inputs)[] = sandbox.runCommand
    ? ["run_checks", "run_command"]
    : ["run_checks"];
  return names.map((name) => ({
    name,
    description: descriptions[name],
    input_schema: toolInputSchema(inputs[name]),
  }));
}

/** Runs a sandbox tool; undefined when the name is not one (another kind of tool). */
export function runSandboxTool(
  sandbox: SandboxTools | undefined,
  name: string,
  input: unknown,
): Promise<ToolOutcome> | undefined {
  if (!sandbox) return undefined;
  if (name === "run_checks") {
    const parsed = inputs.run_checks.safeParse(input);
    if (!parsed.success) return refused(name, parsed.error);
    return sandbox.runChecks(parsed.data.names);
  }
  if (name === "run_command" && sandbox.runCommand) {
    const parsed = inputs.run_command.safeParse(input);
    if (!parsed.success) return refused(name, parsed.error);
    const command = parsed.data.command.trim();
    if (command.length === 0 || command.length > MAX_COMMAND_CHARS) {
      return Promise.resolve({
        content: `run_command needs a command of 1 to ${MAX_COMMAND_CHARS} characters; this one has ${command.length}`,
        isError: true,
      });
    }
    return sandbox.runCommand(command);
  }
  return undefined;
}

function refused(name: string, error: z.ZodError): Promise<ToolOutcome> {
  const problems = error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`);
  return Promise.resolve({
    content: `Invalid ${name} input: ${problems.join("; ")}`,
    isError: true,
  });
}
