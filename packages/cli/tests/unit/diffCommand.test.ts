import { ApiError, formatDiff, type ApiClient, type WorkflowDiff } from "@amelia/client";
import { describe, expect, it } from "vitest";
import type { Workflow } from "../../../core/src/workflow/Workflow";
import { diff, roundArgument } from "../../src/commands/diff";
import { status } from "../../src/commands/status";
import { UsageError } from "../../src/errors";
import { Output, type Stream } from "../../src/Output";

class Capture implements Stream {
  text = "";
  constructor(readonly isTTY = false) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

const DIFF: WorkflowDiff = {
  workflowId: "wf-1",
  round: 2,
  rounds: [1, 2],
  baseCommit: "a".repeat(40),
  commit: "b".repeat(40),
  files: [
    {
      path: "src/app.ts",
      status: "modified",
      additions: 1,
      deletions: 1,
      binary: false,
      hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: ["-old", "+new"] }],
    },
  ],
  totals: { files: 1, additions: 1, deletions: 1 },
  truncated: false,
};

const WORKFLOW = {
  id: "wf-1",
  kind: "issue",
  issueId: "ISSUE-1",
  model: "amelia-demo",
  status: "blocked",
  gate: "review",
  stage: "review_approval",
  iteration: { plan: 1, review: 2 },
  usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
  lastSequence: 1,
  createdAt: "2026-01-01T11:00:00.000Z",
  updatedAt: "2026-01-01T11:00:00.000Z",
} satisfies Workflow;

/** A command's context with an API that answers `diff` (and `getWorkflow`) as given. */
async function context(
  answer: () => Promise<WorkflowDiff>,
  options: { json?: boolean; tty?: boolean } = {},
) {
  const stdout = new Capture(options.tty);
  const stderr = new Capture();
  const output = await Output.create({
    json: options.json ?? false,
    color: true,
    stdout,
    stderr,
    env: {},
  });
  const asked: Array<number | undefined> = [];
  const api = {
    diff: (_id: string, round?: number) => {
      asked.push(round);
      return answer();
    },
    getWorkflow: () => Promise.resolve(WORKFLOW),
  } as unknown as ApiClient;
  const server = { apiUrl: "http://127.0.0.1:9", wsUrl: "ws://127.0.0.1:9/ws" };
  return { context: { output, api, server, cwd: "/" }, stdout, stderr, asked };
}

describe("amelia diff", () => {
  it("piped: formatDiff's plain text on stdout, the round and commits on stderr", async () => {
    const { context: ctx, stdout, stderr, asked } = await context(async () => DIFF);
    await diff(ctx, "wf-1", {});
    expect(asked).toEqual([undefined]);
    expect(stdout.text).toBe(formatDiff(DIFF));
    expect(stderr.text).toBe("Round 2 (finished rounds: 1, 2), aaaaaaaaaaaa..bbbbbbbbbbbb\n");
  });

  it("on a terminal: coloured", async () => {
    const { context: ctx, stdout } = await context(async () => DIFF, { tty: true });
    await diff(ctx, "wf-1", {});
    expect(stdout.text).toContain("\u001b[32m+new");
    expect(stdout.text).toContain("\u001b[31m-old");
  });

  it("asks for the round given", async () => {
    const { context: ctx, asked } = await context(async () => DIFF);
    await diff(ctx, "wf-1", { round: "1" });
    expect(asked).toEqual([1]);
  });

  it("--stat prints the summary and --json the API's answer", async () => {
    const stat = await context(async () => DIFF);
    await diff(stat.context, "wf-1", { stat: true });
    expect(stat.stdout.text).toBe(
      " modified  src/app.ts | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n",
    );
    const json = await context(async () => DIFF, { json: true });
    await diff(json.context, "wf-1", {});
    expect(JSON.parse(json.stdout.text)).toEqual(DIFF);
    expect(json.stderr.text).toBe("");
  });

  it("a round that changed nothing: nothing on stdout, a note on stderr", async () => {
    const {
      context: ctx,
      stdout,
      stderr,
    } = await context(async () => ({
      ...DIFF,
      files: [],
      totals: { files: 0, additions: 0, deletions: 0 },
    }));
    await diff(ctx, "wf-1", {});
    expect(stdout.text).toBe("");
    expect(stderr.text).toContain("This round changed nothing against the base commit.");
  });

  it("warns on stderr, naming them, of binary and cut files: the patch is incomplete", async () => {
    const incomplete: WorkflowDiff = {
      ...DIFF,
      files: [
        ...DIFF.files,
        { path: "logo.png", status: "added", additions: 0, deletions: 0, binary: true, hunks: [] },
        {
          path: "big.txt",
          status: "added",
          additions: 3,
          deletions: 0,
          binary: false,
          hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: 3, lines: ["+1"] }],
          truncated: { shownLines: 1, totalLines: 3 },
        },
      ],
      truncated: true,
    };
    const { context: ctx, stdout, stderr } = await context(async () => incomplete);
    await diff(ctx, "wf-1", {});
    expect(stdout.text).toBe(formatDiff(incomplete));
    expect(stderr.text).toContain("warning Binary files are listed, not included: logo.png\n");
    expect(stderr.text).toContain("warning The diff of these files is cut: big.txt\n");
    expect(stderr.text).toContain(`git diff ${"a".repeat(40)} ${"b".repeat(40)}`);

    const github = await context(async () => ({
      ...incomplete,
      links: { compare: "https://github.com/o/r/compare/a...b" },
    }));
    await diff(github.context, "wf-1", {});
    expect(github.stderr.text).toContain("https://github.com/o/r/compare/a...b");
  });

  it("an error of the API is not caught: the program maps it to its exit code", async () => {
    const refused = new ApiError(422, "INVALID_STATE", "No developer round has committed yet");
    const { context: ctx, stdout } = await context(() => Promise.reject(refused));
    await expect(diff(ctx, "wf-1", {})).rejects.toBe(refused);
    expect(stdout.text).toBe("");
  });
});

describe("roundArgument", () => {
  it("reads a positive integer", () => {
    expect(roundArgument("1")).toBe(1);
    expect(roundArgument("12")).toBe(12);
  });

  it.each(["0", "-1", "1.5", "two", "", " 1", "1e2", "99999999999999999999"])(
    "refuses %o before anything is asked",
    async (text) => {
      expect(() => roundArgument(text)).toThrow(UsageError);
      const { context: ctx, asked } = await context(async () => DIFF);
      await expect(diff(ctx, "wf-1", { round: text })).rejects.toThrow(
        `The round "${text}" must be a positive integer`,
      );
      expect(asked).toEqual([]);
    },
  );
});

describe("amelia status <id>", () => {
  it("shows the latest round's totals", async () => {
    const { context: ctx, stdout } = await context(async () => DIFF);
    await status(ctx, "wf-1", {});
    expect(stdout.text).toContain("Changes     1 file, +1 −1 (round 2)  amelia diff wf-1\n");
  });

  it.each([
    ["before the developer committed (422)", new ApiError(422, "INVALID_STATE", "No changes yet")],
    ["on a server without the diff route (404)", new ApiError(404, "NOT_FOUND", "No route")],
  ])("says nothing of changes %s, and does not fail", async (_, error) => {
    const { context: ctx, stdout } = await context(() => Promise.reject(error));
    await status(ctx, "wf-1", {});
    expect(stdout.text).toContain("Workflow    wf-1");
    expect(stdout.text).not.toContain("Changes");
  });

  it("--json prints the workflow alone, without asking for the diff", async () => {
    const { context: ctx, stdout, asked } = await context(async () => DIFF, { json: true });
    await status(ctx, "wf-1", {});
    expect(JSON.parse(stdout.text)).toEqual(WORKFLOW);
    expect(asked).toEqual([]);
  });
});
