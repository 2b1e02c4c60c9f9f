import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Workflow, WorkflowEvent } from "@amelia/client";
import { Api, oneTo, sequencesOf } from "../support/api";
import {
  FakeAnthropic,
  reply,
  toolUse,
  type Agent,
  type MessageReply,
  type RecordedRequest,
} from "../support/fakeAnthropic";
import { spawnAmelia, type AmeliaProcess } from "../support/process";
import { ofType, sleep } from "../support/workflows";

/**
 * The local runtime, as a process, killed with SIGKILL while its workflows are in one state of
 * the state machine, then started again on the same data directory: every workflow still ends
 * `completed`, with a gapless log and no gate asked for twice unless the log says it re-opened.
 */

const WORKFLOWS_PER_STATE = 5;
/** Time a workflow may take to reach a state, or to finish after the restart (tsx compiles first). */
const STEP_TIMEOUT_MS = 60_000;

const fake = await FakeAnthropic.start();
const dataDirs: string[] = [];
const running = new Set<AmeliaProcess>();
afterAll(async () => {
  for (const amelia of running) await amelia.stop("SIGKILL");
  await fake.close();
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The agents' answers: plan, one tool turn then finish, and a review with the given verdict. */
function scriptAgents(reviewApproves: boolean): void {
  fake.otherwise("architect", (request) =>
    reply(toolUse("submit_plan", { plan: `# Plan for ${issueOf(request)}\n\n1. Write NOTES.md.` })),
  );
  fake.otherwise("developer", (request): MessageReply =>
    afterToolTurn(request)
      ? reply(toolUse("finish", { summary: `Wrote NOTES.md for ${issueOf(request)}` }))
      : reply(toolUse("create_file", { path: "NOTES.md", content: `${issueOf(request)}\n` })),
  );
  fake.otherwise("reviewer", () =>
    reply(
      toolUse(
        "submit_review",
        reviewApproves
          ? { approved: true, severity: "none", comments: [] }
          : { approved: false, severity: "major", comments: ["NOTES.md: say more"] },
      ),
    ),
  );
}

/** The issue a request works on, from the task prompt that opens its conversation. */
function issueOf(request: RecordedRequest): string {
  const issue = /# Issue ([\w-]+)/.exec(JSON.stringify(request.body.messages[0]))?.[1];
  if (!issue) throw new Error("The request names no issue");
  return issue;
}

/** The request carries the results of an earlier tool turn: the agent is mid-stage. */
function afterToolTurn(request: RecordedRequest): boolean {
  const last = request.body.messages.at(-1)?.content;
  return Array.isArray(last) && last.some((block) => block.type === "tool_result");
}

function forIssue(issueId: string, also: (request: RecordedRequest) => boolean = () => true) {
  return (request: RecordedRequest) => issueOf(request) === issueId && also(request);
}

/** Everything a failure message needs to say where a workflow got stuck. */
async function describeWorkflow(api: Api, id: string): Promise<string> {
  const workflow = (await api.get(id)).body;
  const events = await api.events(id).catch(() => []);
  const tail = events.slice(-8).map((e) => `  ${e.sequence} ${e.type} ${e.agent}: ${e.message}`);
  return [
    `workflow ${id} (${workflow.issueId}): ${workflow.status} at ${workflow.stage}` +
      (workflow.failureReason ? ` (${workflow.failureReason})` : ""),
    ...tail,
  ].join("\n");
}

async function waitUntil(
  api: Api,
  id: string,
  what: string,
  predicate: (workflow: Workflow) => boolean,
): Promise<Workflow> {
  try {
    return await api.waitFor(id, predicate, STEP_TIMEOUT_MS);
  } catch {
    throw new Error(`Waiting for ${what}:\n${await describeWorkflow(api, id)}`);
  }
}

async function create(api: Api, issueId: string): Promise<string> {
  const created = await api.create({ issueId, title: `Crash test ${issueId}` });
  if (created.status !== 201) {
    throw new Error(`create ${issueId}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  }
  return created.body.id;
}

async function approve(api: Api, id: string): Promise<void> {
  const approved = await api.approve(id);
  if (approved.status !== 200) {
    throw new Error(
      `approve: HTTP ${approved.status} ${JSON.stringify(approved.body)}\n` +
        (await describeWorkflow(api, id)),
    );
  }
}

async function atPlanGate(api: Api, issueId: string): Promise<string> {
  const id = await create(api, issueId);
  await waitUntil(api, id, "the plan gate", (w) => w.status === "blocked" && w.gate === "plan");
  return id;
}

/** Waits until the fake holds the agent's call for the issue: the agent is mid-request. */
async function held(
  api: Api,
  id: string,
  hold: { reached: Promise<void> },
  what: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), STEP_TIMEOUT_MS);
  });
  try {
    await Promise.race([hold.reached, timeout]);
  } catch {
    throw new Error(`Waiting for ${what}:\n${await describeWorkflow(api, id)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Approves each gate as it opens until the workflow completes; anything else ending it fails. */
async function driveToCompletion(api: Api, id: string): Promise<void> {
  for (;;) {
    const workflow = await waitUntil(
      api,
      id,
      "a gate or the end",
      (w) => w.status !== "in_progress" && w.status !== "pending",
    );
    if (workflow.status === "completed") return;
    if (workflow.status !== "blocked") {
      throw new Error(`The workflow ended ${workflow.status}:\n${await describeWorkflow(api, id)}`);
    }
    await approve(api, id);
  }
}

/**
 * The approval_required events of one gate round (a plan round, or a review round) beyond the
 * first, that do not say they re-open it.
 */
function unmarkedRepeatedGates(events: readonly WorkflowEvent[]): WorkflowEvent[] {
  const asked = new Set<string>();
  const unmarked: WorkflowEvent[] = [];
  let planRound = 0;
  let reviewRound = 0;
  for (const event of events) {
    if (event.type === "plan_created") planRound = event.data.round;
    if (event.type === "review_completed") reviewRound = event.data.round;
    if (event.type !== "approval_required") continue;
    const round = `${event.data.gate} ${event.data.gate === "plan" ? planRound : reviewRound}`;
    if (asked.has(round) && event.data.reopened !== true) unmarked.push(event);
    asked.add(round);
  }
  return unmarked;
}

interface CrashCase {
  state: string;
  /** Starts the issue ids of its workflows. */
  issuePrefix: string;
  reviewApproves: boolean;
  /** Creates a workflow for the issue and brings it to the state; resolves with its id. */
  reach(api: Api, issueId: string): Promise<string>;
  /** Where the workflow's projection stands while it is there. */
  expected: Partial<Workflow>;
  /** What is under way when the kill comes, once every workflow is there. */
  beforeKill?(api: Api, ids: readonly string[]): Promise<void>;
}

/** Between two approvals sent just before a kill: each is cut at another point, or not at all. */
const DECISION_SPACING_MS = 40;

/** Holds released after the kill, so the fake answers nobody instead of waiting forever. */
const releases: (() => void)[] = [];
function holdAgent(agent: Agent, matching: (request: RecordedRequest) => boolean) {
  const hold = fake.hold(agent, matching);
  releases.push(hold.release);
  return hold;
}

const CASES: CrashCase[] = [
  {
    state: "architect",
    issuePrefix: "ARCHITECT",
    reviewApproves: true,
    async reach(api, issueId) {
      const hold = holdAgent("architect", forIssue(issueId));
      const id = await create(api, issueId);
      await held(api, id, hold, "the architect's model call");
      return id;
    },
    expected: { status: "in_progress", stage: "architect" },
  },
  {
    state: "plan gate",
    issuePrefix: "PLAN-GATE",
    reviewApproves: true,
    reach: atPlanGate,
    expected: { status: "blocked", stage: "plan_approval", gate: "plan" },
  },
  {
    // The approve handler dies with the runtime: after taking the token, after recording the
    // decision, after handing it to the execution, or before it started.
    state: "plan gate, its approvals on their way",
    issuePrefix: "DECIDING",
    reviewApproves: true,
    reach: atPlanGate,
    expected: { status: "blocked", stage: "plan_approval", gate: "plan" },
    async beforeKill(api, ids) {
      // An approval of no workflow loads the approve function, so the ones below take no longer
      // than in a running runtime.
      const warmUp = await api.approve(randomUUID());
      if (warmUp.status !== 404) throw new Error(`approve warm-up: HTTP ${warmUp.status}`);
      for (const id of ids) {
        void api.approve(id).catch(() => undefined);
        await sleep(DECISION_SPACING_MS);
      }
    },
  },
  {
    state: "developer mid-turn",
    issuePrefix: "DEVELOPER",
    reviewApproves: true,
    async reach(api, issueId) {
      const hold = holdAgent("developer", forIssue(issueId, afterToolTurn));
      const id = await atPlanGate(api, issueId);
      await approve(api, id);
      await held(api, id, hold, "the developer's second model call");
      return id;
    },
    expected: { status: "in_progress", stage: "developer" },
  },
  {
    state: "reviewer",
    issuePrefix: "REVIEWER",
    reviewApproves: true,
    async reach(api, issueId) {
      const hold = holdAgent("reviewer", forIssue(issueId));
      const id = await atPlanGate(api, issueId);
      await approve(api, id);
      await held(api, id, hold, "the reviewer's model call");
      return id;
    },
    expected: { status: "in_progress", stage: "reviewer" },
  },
  {
    state: "review gate",
    issuePrefix: "REVIEW-GATE",
    reviewApproves: false,
    async reach(api, issueId) {
      const id = await atPlanGate(api, issueId);
      await approve(api, id);
      await waitUntil(
        api,
        id,
        "the review gate",
        (w) => w.status === "blocked" && w.gate === "review",
      );
      return id;
    },
    expected: { status: "blocked", stage: "review_approval", gate: "review" },
  },
  {
    state: "complete",
    issuePrefix: "COMPLETE",
    reviewApproves: true,
    async reach(api, issueId) {
      const id = await atPlanGate(api, issueId);
      await approve(api, id);
      await waitUntil(api, id, "completion", (w) => w.status === "completed");
      return id;
    },
    expected: { status: "completed", stage: "done" },
  },
];

async function start(dataDir: string): Promise<AmeliaProcess> {
  const amelia = await spawnAmelia({
    AMELIA_DATA_DIR: dataDir,
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: fake.url,
    // One review round: a rejecting reviewer opens the review gate at once.
    AMELIA_MAX_REVIEW_ROUNDS: "1",
  });
  running.add(amelia);
  return amelia;
}

async function kill(amelia: AmeliaProcess): Promise<void> {
  running.delete(amelia);
  await amelia.stop("SIGKILL");
  for (const release of releases.splice(0)) release();
}

beforeEach(() => fake.reset());

describe("the local runtime killed with SIGKILL and restarted", { timeout: 150_000 }, () => {
  it.each(CASES)("finishes every workflow killed at the $state", async (crash) => {
    scriptAgents(crash.reviewApproves);
    const dataDir = await mkdtemp(path.join(tmpdir(), "amelia-crash-"));
    dataDirs.push(dataDir);
    const issues = Array.from(
      { length: WORKFLOWS_PER_STATE },
      (_, i) => `${crash.issuePrefix}-${i + 1}`,
    );

    const first = await start(dataDir);
    const firstApi = new Api(first.url);
    const ids = await Promise.all(issues.map((issue) => crash.reach(firstApi, issue)));
    for (const id of ids) {
      expect((await firstApi.get(id)).body, await describeWorkflow(firstApi, id)).toMatchObject(
        crash.expected,
      );
    }
    await crash.beforeKill?.(firstApi, ids);
    await kill(first);

    const second = await start(dataDir);
    const api = new Api(second.url);
    try {
      await Promise.all(ids.map((id) => driveToCompletion(api, id)));
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- runtime output ---\n${second.output().slice(-4000)}`,
      );
    }
    for (const id of ids) {
      const events = await api.events(id);
      const context = await describeWorkflow(api, id);
      expect(sequencesOf(events), context).toEqual(oneTo(events.length));
      expect(unmarkedRepeatedGates(events), context).toEqual([]);
      expect(ofType(events, "workflow_completed"), context).toHaveLength(1);
    }
    running.delete(second);
    expect(await second.stop("SIGTERM")).toBe(0);
  });
});
