import { describe, expect, it } from "vitest";
import type { SandboxTools } from "../../../../src/agents/AgentDriver";
import {
  runSandboxTool,
  sandboxToolDefinitions,
} from "../../../../src/agents/anthropic/sandboxTools";

function recordingSandbox(withCommand: boolean) {
  const calls: unknown[] = [];
  const sandbox: SandboxTools = {
    runChecks: async (names) => {
      calls.push({ checks: names });
      return { content: "ran", isError: false };
    },
    ...(withCommand && {
      runCommand: async (command: string) => {
        calls.push({ command });
        return { content: "ran", isError: false };
      },
    }),
  };
  return { sandbox, calls };
}

describe("the sandbox tools offered to the model", () => {
  it("are run_checks and run_command for the developer, run_checks alone for the reviewer, none without a sandbox", () => {
    expect(sandboxToolDefinitions(recordingSandbox(true).sandbox).map((t) => t.name)).toEqual([
      "run_checks",
      "run_command",
    ]);
    expect(sandboxToolDefinitions(recordingSandbox(false).sandbox).map((t) => t.name)).toEqual([
      "run_checks",
    ]);
    expect(sandboxToolDefinitions(undefined)).toEqual([]);
  });

  it("refuses an empty or a 100 KB command with a clear tool error, and runs none", async () => {
    const { sandbox, calls } = recordingSandbox(true);
    expect(await runSandboxTool(sandbox, "run_command", { command: "   " })).toEqual({
      content: "run_command needs a command of 1 to 10000 characters; this one has 0",
      isError: true,
    });
    expect(await runSandboxTool(sandbox, "run_command", { command: "x".repeat(100_000) })).toEqual({
      content: "run_command needs a command of 1 to 10000 characters; this one has 100000",
      isError: true,
    });
    expect((await runSandboxTool(sandbox, "run_command", {}))?.content).toMatch(
      /^Invalid run_command input: command/,
    );
    expect(calls).toEqual([]);
    await runSandboxTool(sandbox, "run_command", { command: " npm test " });
    await runSandboxTool(sandbox, "run_checks", { names: ["lint"] });
    expect(calls).toEqual([{ command: "npm test" }, { checks: ["lint"] }]);
  });

  it("leaves other tools, and run_command without the capability, to the workspace tools", () => {
    const { sandbox } = recordingSandbox(false);
    expect(runSandboxTool(sandbox, "read_file", { path: "a" })).toBeUndefined();
    expect(runSandboxTool(sandbox, "run_command", { command: "ls" })).toBeUndefined();
    expect(runSandboxTool(undefined, "run_checks", {})).toBeUndefined();
  });
});
