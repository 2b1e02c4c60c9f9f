import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type {
  AgentContext,
  AgentDriver,
  DevelopRequest,
  DevelopResult,
  PlanRequest,
  RepositoryInstructions,
} from "../../../src/agents/AgentDriver";
import { DemoDriver } from "../../../src/agents/DemoDriver";
import { ChecksFileError } from "../../../src/checks/ChecksFileError";
import { runArchitect, runDeveloper, runReviewer } from "../../../src/agents/stages";
import type { Gate } from "../../../src/workflow/status";
import { LocalGitWorkspaceProvider } from "../../../src/workspace/LocalGitWorkspaceProvider";
import type { Workspace } from "../../../src/workspace/Workspace";
import {
  git,
  isolateGitConfig,
  makeRepository,
  removeTempDirs,
  tempDir,
  writeFiles,
} from "../workspace/gitFixture";
import { MemoryConversations, MemoryWorkflow, type WorkflowSeed } from "./memoryWorkflow";

beforeAll(isolateGitConfig);
afterAll(removeTempDirs);

let workspaces: LocalGitWorkspaceProvider;
let conversations: MemoryConversations;
const driver = new DemoDriver();
const BUDGET = { turnBudget: 20, deadline: Number.MAX_SAFE_INTEGER };

beforeEach(() => {
  workspaces = new LocalGitWorkspaceProvider(tempDir("amelia-data-"));
  conversations = new MemoryConversations();
});

const issue: WorkflowSeed = {
  issueId: "PROJ-7",
  title: "Add a dark mode",
  description: "- Add a theme toggle\n- Remember the choice",
};

/** The gate Lambda's part, which is not under test here. */
function decide(run: MemoryWorkflow, gate: Gate, feedback?: string): void {
  run.append({
    type: "approval_required",
    agent: "system",
    level: "info",
    message: `Waiting at the ${gate} gate`,
    data: { gate },
  });
  run.append(
    feedback === undefined
      ? { type: "approval_granted", agent: "human", level: "info", message: "OK", data: { gate } }
      : {
          type: "approval_rejected",
          agent: "human",
          level: "info",
          message: "Rejected",
          data: { gate, feedback },
        },
  );
}

describe("a demo workflow through the stage runners", () => {
  it("plans, implements, gets changes requested, revises and is approved", async () => {
    const repo = makeRepository();
    const head = git(repo, "rev-parse", "HEAD");
    const run = new MemoryWorkflow("wf-demo", { ...issue, repository: repo });

    const { plan } = await runArchitect(run.context(), driver, workspaces);
    expect(run.workflow.plan).toBe(plan);
    expect(run.workflow.iteration.plan).toBe(1);
    expect(plan).toContain("1. Add a theme toggle");
    decide(run, "plan");

    const first = await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(repo, "log", "--format=%H %s", "amelia/PROJ-7", "-1")).toBe(
      `${first.commit} amelia(PROJ-7): developer round 1`,
    );
    expect(run.ofType("file_created").map((e) => e.data.path)).toEqual(["docs/amelia/proj-7.md"]);

    const review1 = await runReviewer(run.context(), driver, workspaces, 3);
    expect(review1).toEqual({ approved: false, atCap: false });
    expect(run.workflow.review?.severity).toBe("minor");
    expect(run.workflow.review?.comments[0]).toMatch(/^docs\/amelia\/proj-7\.md:\d+ — .*TODO/);
    const [revision] = run.ofType("revision_requested");
    expect(revision?.data).toEqual({ round: 1, comments: run.workflow.review?.comments });
    expect(revision?.level).toBe("warning");

    const second = await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);
    expect(second.commit).not.toBe(first.commit);
    expect(run.ofType("file_modified").map((e) => e.data.path)).toEqual(["docs/amelia/proj-7.md"]);
    expect(git(repo, "log", "--format=%s", "main..amelia/PROJ-7")).toBe(
      "amelia(PROJ-7): developer round 2\namelia(PROJ-7): developer round 1",
    );

    const review2 = await runReviewer(run.context(), driver, workspaces, 3);
    expect(review2).toEqual({ approved: true, atCap: false });
    expect(run.workflow.iteration.review).toBe(2);
    expect(run.ofType("review_completed").map((e) => e.data.approved)).toEqual([false, true]);

    const starts = run.ofType("stage_started").map((e) => `${e.data.stage}:${e.data.round}`);
    expect(starts).toEqual([
      "architect:1",
      "developer:1",
      "reviewer:1",
      "developer:2",
      "reviewer:2",
    ]);
    const completions = run.ofType("stage_completed");
    expect(
      completions.filter((e) => e.data.stage === "developer").map((e) => e.data.commit),
    ).toEqual([first.commit, second.commit]);
    for (const event of run.ofType("agent_message")) {
      expect(event.message).toMatch(/^Demo model \(offline\)/);
      expect(event.data?.demo).toBe(true);
    }
    // The person's checkout never moved.
    expect(git(repo, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(git(repo, "rev-parse", "HEAD")).toBe(head);
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("re-plans with the person's feedback", async () => {
    const run = new MemoryWorkflow("wf-replan", issue);
    await runArchitect(run.context(), driver, workspaces);
    decide(run, "plan", "Also follow the system theme.");

    const { plan } = await runArchitect(run.context(), driver, workspaces);
    expect(plan).toContain("## Revision (round 2)");
    expect(plan).toContain("> Also follow the system theme.");
    expect(run.ofType("plan_created").map((e) => e.data.round)).toEqual([1, 2]);
    expect(run.workflow.iteration.plan).toBe(2);

    // Feedback is used once: approving and re-running would not repeat it.
    decide(run, "plan");
    const third = await runArchitect(run.context(), driver, workspaces);
    expect(third.plan).not.toContain("## Revision");
  });

  it("stops at the review cap, then revises with the person's feedback", async () => {
    const run = new MemoryWorkflow("wf-cap", issue);
    await runArchitect(run.context(), driver, workspaces);
    decide(run, "plan");
    await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);

    expect(await runReviewer(run.context(), driver, workspaces, 1)).toEqual({
      approved: false,
      atCap: true,
    });
    expect(run.ofType("revision_requested")).toHaveLength(0);

    decide(run, "review", "Finish the verification, please.");
    const mark = run.events.length;
    await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);
    const workspace = await openFor(run);
    const document = await workspace.readFile("docs/amelia/proj-7.md");
    expect(document).toContain("> Finish the verification, please.");
    expect(document).toContain("## Review responses");
    expect(run.since(mark).find((e) => e.type === "stage_started")?.data).toEqual({
      stage: "developer",
      round: 2,
    });

    expect(await runReviewer(run.context(), driver, workspaces, 1)).toEqual({
      approved: true,
      atCap: false,
    });
  });

  it("calls an empty diff critical", async () => {
    const run = new MemoryWorkflow("wf-empty", issue);
    await runArchitect(run.context(), driver, workspaces);
    expect(await runReviewer(run.context(), driver, workspaces, 3)).toEqual({
      approved: false,
      atCap: false,
    });
    expect(run.workflow.review?.severity).toBe("critical");
  });
});

describe("stage retries after a crash", () => {
  it("re-runs a developer round on the same state without failing", async () => {
    const run = new MemoryWorkflow("wf-retry", issue);
    await runArchitect(run.context(), driver, workspaces);
    decide(run, "plan");
    const ctx = run.context();

    const first = await runDeveloper(ctx, driver, workspaces, conversations, BUDGET);
    const again = await runDeveloper(ctx, driver, workspaces, conversations, BUDGET);
    expect(again.commit).toBeUndefined();
    expect(first.commit).toBeDefined();
    const lastCompletion = run.ofType("stage_completed").at(-1);
    // Nothing new to commit, and still measured against the same base as the first run.
    const baseCommit = run.ofType("stage_completed").at(-2)?.data.baseCommit;
    expect(baseCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(lastCompletion?.data).toEqual({ stage: "developer", baseCommit });
  });

  it("repeats the round a crashed stage had started instead of counting a new one", async () => {
    const run = new MemoryWorkflow("wf-crash", issue);
    await runArchitect(run.context(), driver, workspaces);
    decide(run, "plan");
    await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);
    // The reviewer recorded its verdict, then its process died.
    run.append({
      type: "stage_started",
      agent: "reviewer",
      level: "info",
      message: "Reviewer started",
      data: { stage: "reviewer", round: 1 },
    });
    run.append({
      type: "review_completed",
      agent: "reviewer",
      level: "warning",
      message: "Changes requested",
      data: { approved: false, severity: "minor", comments: ["x"], round: 1 },
    });

    await runReviewer(run.context(), driver, workspaces, 3);
    expect(run.ofType("review_completed").map((e) => e.data.round)).toEqual([1, 1]);
    expect(run.ofType("revision_requested").map((e) => e.data.round)).toEqual([1]);
  });
});

describe("a stage invoked again with the same input after it completed", () => {
  it("redoes no agent round: the architect's plan, the developer's commit and the review stand", async () => {
    const repo = makeRepository();
    const run = new MemoryWorkflow("wf-replay", { ...issue, repository: repo });
    const { plan } = await runArchitect(run.context(), driver, workspaces);
    expect(await runArchitect(run.context(), driver, workspaces)).toEqual({ plan });
    expect(run.ofType("plan_created")).toHaveLength(1);
    expect(run.ofType("stage_started")).toHaveLength(1);
    decide(run, "plan");

    const first = await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);
    const tip = git(repo, "rev-parse", "amelia/PROJ-7");
    const replayed = await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);
    expect(replayed).toEqual(first);
    expect(git(repo, "rev-parse", "amelia/PROJ-7")).toBe(tip);
    expect(run.ofType("file_created")).toHaveLength(1);
    expect(run.ofType("stage_completed").filter((e) => e.agent === "developer")).toHaveLength(1);

    const review = await runReviewer(run.context(), driver, workspaces, 3);
    expect(await runReviewer(run.context(), driver, workspaces, 3)).toEqual(review);
    expect(run.ofType("review_completed")).toHaveLength(1);
    expect(run.ofType("revision_requested")).toHaveLength(1);
    const notes = run
      .ofType("agent_message")
      .filter((e) => e.message.endsWith("was already completed: it is not done again"))
      .map((e) => e.agent);
    expect(notes).toEqual(["architect", "developer", "reviewer"]);

    // A new input (the revision the reviewer asked for) is a new round, not a replay.
    const second = await runDeveloper(run.context(), driver, workspaces, conversations, BUDGET);
    expect(second.commit).not.toBe(first.commit);
  });
});

describe("a developer round over several invocations", () => {
  /** Writes one file per invocation and finishes on the third, as a budgeted model loop would. */
  const demo = new DemoDriver();
  const stepwise: AgentDriver = {
    model: "stepwise",
    demo: true,
    plan: (request, workspace, ctx) => demo.plan(request, workspace, ctx),
    review: (request, workspace, ctx) => demo.review(request, workspace, ctx),
    async develop(_request, workspace, _ctx, session): Promise<DevelopResult> {
      const steps = ((await session.load()) as { steps: number } | undefined)?.steps ?? 0;
      await workspace.writeFile(`part-${steps + 1}.txt`, `part ${steps + 1}\n`);
      if (steps + 1 === 3) return { done: true, summary: "Wrote three parts." };
      await session.save({ steps: steps + 1 });
      return { done: false };
    },
  };

  it("starts the round once, continues from the saved conversation, and commits each part", async () => {
    const repo = makeRepository();
    const run = new MemoryWorkflow("wf-steps", { ...issue, repository: repo });
    await runArchitect(run.context(), stepwise, workspaces);
    decide(run, "plan");

    const results = [];
    for (let invocation = 0; invocation < 3; invocation++) {
      results.push(await runDeveloper(run.context(), stepwise, workspaces, conversations, BUDGET));
    }
    expect(results.map((r) => r.done)).toEqual([false, false, true]);
    expect(run.ofType("stage_started").filter((e) => e.agent === "developer")).toHaveLength(1);
    const continued = run
      .ofType("agent_message")
      .filter((e) => e.message.startsWith("Developer continues round 1"));
    expect(continued).toHaveLength(2);
    expect(run.ofType("file_created").map((e) => e.data.path)).toEqual([
      "part-1.txt",
      "part-2.txt",
      "part-3.txt",
    ]);
    expect(git(repo, "log", "--format=%s", "main..amelia/PROJ-7")).toBe(
      [
        "amelia(PROJ-7): developer round 1",
        "amelia(PROJ-7): developer round 1, work in progress",
        "amelia(PROJ-7): developer round 1, work in progress",
      ].join("\n"),
    );
    expect(run.ofType("stage_completed").at(-1)?.data).toEqual({
      stage: "developer",
      commit: results[2]?.commit,
      // The branch started at main: the round's diff is measured from there.
      baseCommit: git(repo, "rev-parse", "main"),
    });
    // The round is over: its conversation is gone, and the next round starts afresh.
    expect(conversations.saved.size).toBe(0);
  });
});

describe("the driver context", () => {
  it("records token usage and every file change the driver makes", async () => {
    class CountingDriver extends DemoDriver {
      override async plan(request: PlanRequest, workspace: Workspace, ctx: AgentContext) {
        await ctx.reportUsage(
          "claude-test",
          { inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, cacheWriteTokens: 1 },
          0.0125,
        );
        return super.plan(request, workspace, ctx);
      }

      override async develop(request: DevelopRequest, workspace: Workspace, ctx: AgentContext) {
        await workspace.writeFile("notes/scratch.md", "temporary\n");
        await workspace.deleteFile("notes/scratch.md");
        await workspace.deleteFile("README.md");
        await workspace.deleteFile("README.md");
        return super.develop(request, workspace, ctx);
      }
    }
    const counting = new CountingDriver();
    const run = new MemoryWorkflow("wf-usage", issue);
    await runArchitect(run.context(), counting, workspaces);
    expect(run.workflow.usage).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 2,
      cacheWriteTokens: 1,
      costUsd: 0.0125,
    });
    expect(run.ofType("token_usage")[0]?.agent).toBe("architect");

    decide(run, "plan");
    await runDeveloper(run.context(), counting, workspaces, conversations, BUDGET);
    const changes = run.events
      .filter((e) => e.type.startsWith("file_"))
      .map((e) => `${e.type} ${(e.data as { path: string }).path}`);
    expect(changes).toEqual([
      "file_created notes/scratch.md",
      "file_deleted notes/scratch.md",
      "file_deleted README.md",
      "file_created docs/amelia/proj-7.md",
    ]);
  });
});

function openFor(run: MemoryWorkflow): Promise<Workspace> {
  const { id, issueId, branch } = run.workflow;
  return workspaces.open({ workflowId: id, issueId, branch: branch ?? "" });
}

describe("the repository's checks file", () => {
  it("fails the architect, the workflow's first stage, when it is invalid, naming the file and the problem", async () => {
    const repo = makeRepository();
    writeFiles(repo, { ".amelia/checks.yml": "checks: nope\n" });
    git(repo, "add", "-A");
    git(repo, "commit", "--quiet", "-m", "bad checks");
    const run = new MemoryWorkflow("wf-bad-checks", { issueId: "BAD-1", repository: repo });

    const failed = await runArchitect(run.context(), driver, workspaces).catch((e: unknown) => e);

    expect(failed).toBeInstanceOf(ChecksFileError);
    expect((failed as Error).message).toMatch(/^\.amelia\/checks\.yml is invalid: checks: /);
    expect(run.ofType("plan_created")).toEqual([]);
  });
});

describe("the repository's instructions", () => {
  function commitFiles(repo: string, files: Record<string, string>): void {
    writeFiles(repo, files);
    git(repo, "add", "-A");
    git(repo, "commit", "--quiet", "-m", "Instructions");
  }

  /** The demo agents, keeping every request they are given; the developer hands back once. */
  function recordingDriver() {
    const demo = new DemoDriver();
    const requests: { agent: string; instructions?: RepositoryInstructions }[] = [];
    let handedBack = false;
    const recording: AgentDriver = {
      model: "recording",
      demo: true,
      plan: (request, workspace, ctx) => {
        requests.push({ agent: "architect", ...request });
        return demo.plan(request, workspace, ctx);
      },
      review: (request, workspace, ctx) => {
        requests.push({ agent: "reviewer", ...request });
        return demo.review(request, workspace, ctx);
      },
      async develop(request, workspace, ctx, session) {
        requests.push({ agent: "developer", ...request });
        if (!handedBack) {
          handedBack = true;
          await session.save({ turn: 1 });
          return { done: false };
        }
        return demo.develop(request, workspace, ctx);
      },
    };
    return { recording, requests };
  }

  async function runAll(run: MemoryWorkflow, recording: AgentDriver) {
    await runArchitect(run.context(), recording, workspaces);
    decide(run, "plan");
    for (let invocation = 0; invocation < 2; invocation++) {
      await runDeveloper(run.context(), recording, workspaces, conversations, BUDGET);
    }
    await runReviewer(run.context(), recording, workspaces, 3);
  }

  it("gives every agent the repository's AGENTS.md, records it once per stage, and names it in the plan", async () => {
    const repo = makeRepository();
    commitFiles(repo, { "AGENTS.md": "Run `npm test` before you finish.\n" });
    const run = new MemoryWorkflow("wf-instructions", { ...issue, repository: repo });
    const { recording, requests } = recordingDriver();

    await runAll(run, recording);

    const expected = {
      path: "AGENTS.md",
      text: "Run `npm test` before you finish.\n",
      truncated: false,
      bytes: 34,
    };
    expect(requests.map((r) => [r.agent, r.instructions])).toEqual([
      ["architect", expected],
      ["developer", expected],
      ["developer", expected],
      ["reviewer", expected],
    ]);
    // Once per stage run: the developer's continuing invocation does not record them again.
    const loaded = run.ofType("instructions_loaded");
    expect(loaded.map((e) => [e.agent, e.level, e.data])).toEqual([
      ["architect", "info", { path: "AGENTS.md", bytes: 34, truncated: false }],
      ["developer", "info", { path: "AGENTS.md", bytes: 34, truncated: false }],
      ["reviewer", "info", { path: "AGENTS.md", bytes: 34, truncated: false }],
    ]);
    expect(loaded[0]?.message).toBe("Repository instructions from AGENTS.md (34 bytes)");
    // Each right after its stage started.
    for (const event of loaded) {
      expect(run.events[event.sequence - 2]?.type).toBe("stage_started");
    }
    expect(run.workflow.plan).toContain("- Repository instructions: `AGENTS.md`");
  });

  it("notes the files it skipped, and records no instructions when none is usable", async () => {
    const repo = makeRepository();
    commitFiles(repo, { "AGENTS.md": "\0binary", "CLAUDE.md": "Small commits.\n" });
    const run = new MemoryWorkflow("wf-skipped", { ...issue, repository: repo });
    await runArchitect(run.context(), driver, workspaces);
    expect(run.ofType("instructions_loaded")[0]?.message).toBe(
      "Repository instructions from CLAUDE.md (15 bytes); " +
        "skipped AGENTS.md: it is a binary file (7 bytes)",
    );

    const binaryOnly = makeRepository();
    commitFiles(binaryOnly, { "AGENTS.md": "\0binary" });
    const other = new MemoryWorkflow("wf-binary", { ...issue, repository: binaryOnly });
    await runArchitect(other.context(), driver, workspaces);
    expect(other.ofType("instructions_loaded")).toEqual([]);
    const warning = other.ofType("agent_message").find((e) => e.level === "warning");
    expect(warning).toMatchObject({
      agent: "architect",
      message: "No repository instructions: skipped AGENTS.md: it is a binary file (7 bytes)",
    });
    expect(other.workflow.plan).not.toContain("Repository instructions");
  });

  it("gives nothing and records nothing for a repository without instructions", async () => {
    const run = new MemoryWorkflow("wf-none", { ...issue, repository: makeRepository() });
    const { recording, requests } = recordingDriver();

    await runAll(run, recording);

    expect(requests).toHaveLength(4);
    expect(requests.filter((r) => "instructions" in r)).toEqual([]);
    expect(run.ofType("instructions_loaded")).toEqual([]);
    expect(run.events.filter((e) => e.level === "warning" && e.type === "agent_message")).toEqual(
      [],
    );
    expect(run.workflow.plan).not.toContain("Repository instructions");
  });
});
