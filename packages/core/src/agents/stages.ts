import * as z from "zod";
import type { NewEvent, RevisionRequest, WorkflowEvent } from "../events/types";
import { reviewSchema } from "../events/types";
import { InvalidStateError } from "../errors";
import { MAX_MESSAGE_CHARS } from "../definitions/limits";
import type { Workflow } from "../workflow/Workflow";
import { branchNameFor } from "../workflow/branchName";
import type { FileChange, Workspace, WorkspaceProvider } from "../workspace/Workspace";
import { checkPassed } from "../checks/checkResults";
import { resolveChecks } from "../checks/resolveChecks";
import type {
  AgentContext,
  AgentDriver,
  BudgetStop,
  StageSession,
  FailedCheck,
  IssueSummary,
  RepositoryInstructions,
  SandboxTools,
} from "./AgentDriver";
import { RecordingWorkspace } from "./RecordingWorkspace";
import {
  instructionsSummary,
  loadRepositoryInstructions,
  planNamingInstructions,
} from "./repositoryInstructions";
import { lineCommentText } from "../workflow/revision";

/** What a stage runner needs from storage: the workflow, its log so far, and a way to append. */
export interface StageContext {
  workflow: Workflow;
  log: readonly WorkflowEvent[];
  record(event: NewEvent): Promise<void>;
}

/** The stages other than the developer's whose conversations are kept (at a budget stop). */
export type ConversationStage = "architect" | "reviewer";

/**
 * Where an agent's conversation waits between invocations of one round: the developer's
 * (`stage` absent) across its turn budgets, the others' across a budget stop.
 */
export interface Conversations {
  load(workflowId: string, round: number, stage?: ConversationStage): Promise<unknown>;
  save(workflowId: string, round: number, state: unknown, stage?: ConversationStage): Promise<void>;
  clear(workflowId: string, round: number, stage?: ConversationStage): Promise<void>;
}

/** A stage stopped before a model call that could pass the budget: the budget gate is next. */
export interface StoppedAtBudget {
  budget: true;
  plan?: never;
}

/** The sandbox tools of an agent's round on its workspace, where the repository can be checked. */
export type SandboxFactory = (
  workspace: Workspace,
  round: number,
) => Promise<(SandboxTools & { lastFailed: boolean }) | undefined>;

/** How much one developer invocation may do before it saves and hands back. */
export interface DeveloperBudget {
  turnBudget: number;
  /** Epoch ms after which no new model turn starts. */
  deadline: number;
}

export interface ReviewOutcome {
  approved: boolean;
  /** Not approved, and the review loop has used all its rounds: a person decides next. */
  atCap: boolean;
  /** Stopped at the budget before it reviewed: the budget gate is next. */
  budget?: true;
}

type AgentStage = "architect" | "developer" | "reviewer";

export async function runArchitect(
  ctx: StageContext,
  driver: AgentDriver,
  workspaces: WorkspaceProvider,
  conversations?: Conversations,
): Promise<{ plan: string; budget?: never } | StoppedAtBudget> {
  const { workflow, log } = ctx;
  const replayed = completedRound(log, "architect");
  if (replayed !== undefined) {
    await notRedone(ctx, "architect", replayed.round, driver);
    return { plan: planOf(workflow) };
  }
  const round = retriedRound(log, "architect") ?? workflow.iteration.plan + 1;
  const session = conversations && stageSession(conversations, workflow.id, round, "architect");
  const { continued } = await startedOrContinued(
    ctx,
    "architect",
    round,
    round === 1 ? "Architect is planning" : `Architect is re-planning (round ${round})`,
    driver,
    session,
  );
  const workspace = await openWorkspace(workflow, workspaces);
  const feedback = planFeedback(log);
  // An invalid .amelia/checks.yml fails the workflow here, at its first stage.
  const checks = await resolveChecks(workspace);
  const files = await workspace.listFiles();
  const instructions = await instructionsFor(
    ctx,
    "architect",
    driver,
    workspace,
    files,
    !continued,
  );
  const planned = await driver.plan(
    {
      issue: issueOf(workflow),
      round,
      ...(feedback !== undefined && { feedback }),
      ...(workflow.plan !== undefined && { previousPlan: workflow.plan }),
      files,
      ...(checks && {
        checks: { names: checks.config.checks.map((check) => check.name), source: checks.source },
      }),
      ...(instructions && { instructions }),
    },
    workspace,
    agentContext(ctx, "architect", driver),
    session,
  );
  if ("budgetStop" in planned) return stoppedAtBudget(ctx, "architect", planned, driver);
  const plan = instructions
    ? planNamingInstructions(planned.plan, instructions.path)
    : planned.plan;
  await ctx.record({
    type: "plan_created",
    agent: "architect",
    level: "info",
    message: `Plan ready for approval (round ${round})`,
    data: { plan, round },
  });
  await ctx.record({
    type: "stage_completed",
    agent: "architect",
    level: "info",
    message: "Architect finished",
    data: { stage: "architect" },
  });
  await session?.clear();
  return { plan };
}

/**
 * One invocation of the developer. It either finishes the round (commit, `stage_completed`,
 * `done: true`) or uses its budget and hands back (`done: false`) with its conversation saved and
 * its work so far committed; the state machine then invokes it again and it carries on.
 */
export async function runDeveloper(
  ctx: StageContext,
  driver: AgentDriver,
  workspaces: WorkspaceProvider,
  conversations: Conversations,
  budget: DeveloperBudget,
  sandboxFor?: SandboxFactory,
): Promise<{ done: boolean; commit?: string; budget?: true }> {
  const { workflow, log } = ctx;
  const replayed = completedRound(log, "developer");
  if (replayed !== undefined) {
    await notRedone(ctx, "developer", replayed.round, driver);
    await conversations.clear(workflow.id, replayed.round);
    const commit = replayed.event.data.commit;
    return { done: true, ...(commit !== undefined && { commit }) };
  }
  const round =
    retriedRound(log, "developer") ??
    (workflow.iteration.developer ?? workflow.iteration.review) + 1;
  const saved = savedProgress(await conversations.load(workflow.id, round));
  if (saved === undefined) {
    await stageStarted(
      ctx,
      "developer",
      round,
      round === 1 ? "Developer is implementing the plan" : `Developer is revising (round ${round})`,
    );
  } else {
    await ctx.record({
      type: "agent_message",
      agent: "developer",
      level: "info",
      message: `Developer continues round ${round} from its saved conversation`,
      data: { demo: driver.demo },
    });
  }
  const workspace = new RecordingWorkspace(await openWorkspace(workflow, workspaces), (event) =>
    ctx.record(event),
  );
  // What the saved conversation believes it wrote, and no commit holds yet.
  if (saved) await workspace.applyChanges(saved.changes);
  // Read again by a continuing invocation, but recorded once: when the round starts.
  const instructions = await instructionsFor(
    ctx,
    "developer",
    driver,
    workspace,
    await workspace.listFiles(),
    saved === undefined,
  );
  const { reviewComments, feedback } = revisionInput(log);
  const failedChecks = failedChecksOf(log);
  const result = await driver.develop(
    {
      issue: issueOf(workflow),
      plan: planOf(workflow),
      round,
      reviewComments,
      ...(feedback !== undefined && { feedback }),
      ...(failedChecks.length > 0 && { failedChecks }),
      ...(instructions && { instructions }),
    },
    workspace,
    agentContext(ctx, "developer", driver, await sandboxFor?.(workspace, round)),
    {
      load: async () => saved?.conversation,
      // The conversation is saved with the changes it made, before the log names them: a failed
      // invocation never leaves the conversation (or the log) ahead of the work.
      save: async (conversation) => {
        const progress: SavedDeveloperWork = {
          conversation,
          changes: await workspace.pendingChanges(),
        };
        await conversations.save(workflow.id, round, progress);
        await workspace.recordChanges();
      },
      ...budget,
    },
  );
  if ("budgetStop" in result) {
    await workspace.commit(
      `amelia(${workflow.issueId}): developer round ${round}, stopped at the budget\n`,
    );
    return { ...(await stoppedAtBudget(ctx, "developer", result, driver)), done: false };
  }
  if (!result.done) {
    // Committed, so the next invocation finds the work even on another machine.
    const checkpoint = await workspace.commit(
      `amelia(${workflow.issueId}): developer round ${round}, work in progress\n`,
    );
    await ctx.record({
      type: "agent_message",
      agent: "developer",
      level: "info",
      message:
        `Developer used this invocation's budget of ${budget.turnBudget} turns and continues in ` +
        `the next one` +
        (checkpoint ? ` (work so far committed as ${checkpoint.slice(0, 12)})` : ""),
      data: { demo: driver.demo, ...(checkpoint !== undefined && { commit: checkpoint }) },
    });
    return { done: false };
  }
  const { summary } = result;
  const commit = await workspace.commit(
    `amelia(${workflow.issueId}): developer round ${round}\n\n${summary}\n`,
  );
  await ctx.record({
    type: "stage_completed",
    agent: "developer",
    level: "info",
    message: clip(
      commit
        ? `Developer committed ${commit.slice(0, 12)} on ${workspace.branch}: ${summary}`
        : `Developer finished with nothing new to commit: ${summary}`,
    ),
    data: {
      stage: "developer",
      ...(commit !== undefined && { commit }),
      baseCommit: workspace.baseCommit,
    },
  });
  // After the completion: a replay that finds it need not continue a conversation.
  await conversations.clear(workflow.id, round);
  return { done: true, ...(commit !== undefined && { commit }) };
}

export async function runReviewer(
  ctx: StageContext,
  driver: AgentDriver,
  workspaces: WorkspaceProvider,
  maxReviewRounds: number,
  sandboxFor?: SandboxFactory,
  conversations?: Conversations,
): Promise<ReviewOutcome> {
  const { workflow, log } = ctx;
  const replayed = completedRound(log, "reviewer");
  if (replayed !== undefined) {
    await notRedone(ctx, "reviewer", replayed.round, driver);
    const review = log.findLast((event) => event.type === "review_completed");
    const approved = review?.type === "review_completed" && review.data.approved;
    return { approved, atCap: !approved && replayed.round >= maxReviewRounds };
  }
  const round = retriedRound(log, "reviewer") ?? workflow.iteration.review + 1;
  const session = conversations && stageSession(conversations, workflow.id, round, "reviewer");
  const { continued } = await startedOrContinued(
    ctx,
    "reviewer",
    round,
    `Reviewer is reviewing the changes (round ${round})`,
    driver,
    session,
  );
  const workspace = await openWorkspace(workflow, workspaces);
  const instructions = await instructionsFor(
    ctx,
    "reviewer",
    driver,
    workspace,
    await workspace.listFiles(),
    !continued,
  );
  const sandbox = await sandboxFor?.(workspace, round);
  const reviewed = await driver.review(
    {
      issue: issueOf(workflow),
      plan: planOf(workflow),
      diff: await workspace.diff(),
      round,
      ...(workflow.checks && { checks: workflow.checks }),
      ...(instructions && { instructions }),
    },
    workspace,
    agentContext(ctx, "reviewer", driver, sandbox),
    session,
  );
  if ("budgetStop" in reviewed) {
    return {
      ...(await stoppedAtBudget(ctx, "reviewer", reviewed, driver)),
      approved: false,
      atCap: false,
    };
  }
  const answered = reviewed.review;
  // The reviewer cannot approve a change it saw a check fail on.
  const proposed =
    sandbox?.lastFailed && answered.approved
      ? {
          ...answered,
          approved: false,
          severity: "major" as const,
          comments: [
            ...answered.comments,
            "A check failed when the reviewer ran it: fix it first.",
          ],
        }
      : answered;
  // A model's answer must fit the contract before it reaches the log.
  const review = reviewSchema.parse(proposed);
  const { approved, severity, comments } = review;
  await ctx.record({
    type: "review_completed",
    agent: "reviewer",
    level: approved ? "info" : "warning",
    message: approved
      ? `Review round ${round}: approved`
      : `Review round ${round}: changes requested (${severity}, ${count(comments.length, "comment")})`,
    data: { ...review, round },
  });
  const atCap = !approved && round >= maxReviewRounds;
  if (!approved && !atCap) {
    await ctx.record({
      type: "revision_requested",
      agent: "reviewer",
      level: "warning",
      message: `Revision requested: the developer works on round ${round + 1}`,
      data: { round, comments },
    });
  }
  await ctx.record({
    type: "stage_completed",
    agent: "reviewer",
    level: "info",
    message: atCap
      ? `Reviewer finished: ${maxReviewRounds} review rounds used, a person decides next`
      : "Reviewer finished",
    data: { stage: "reviewer" },
  });
  await session?.clear();
  return { approved, atCap };
}

function issueOf(workflow: Workflow): IssueSummary {
  const { issueId, title, description } = workflow;
  return {
    issueId,
    ...(title !== undefined && { title }),
    ...(description !== undefined && { description }),
  };
}

function planOf(workflow: Workflow): string {
  if (workflow.plan === undefined) {
    throw new InvalidStateError(`Workflow ${workflow.id} has no plan yet`, { id: workflow.id });
  }
  return workflow.plan;
}

export function openWorkspace(
  workflow: Workflow,
  workspaces: WorkspaceProvider,
): Promise<Workspace> {
  return workspaces.open({
    workflowId: workflow.id,
    issueId: workflow.issueId,
    ...(workflow.repository !== undefined && { repository: workflow.repository }),
    branch: workflow.branch ?? branchNameFor(workflow.issueId),
  });
}

function agentContext(
  ctx: StageContext,
  agent: AgentStage,
  driver: AgentDriver,
  sandbox?: SandboxTools,
): AgentContext {
  const { budgetUsd } = ctx.workflow;
  // What this invocation spends adds to what the workflow had spent when it began.
  let spentUsd = ctx.workflow.usage.costUsd;
  return {
    ...(sandbox && { sandbox }),
    ...(budgetUsd !== undefined && { remainingBudgetUsd: () => budgetUsd - spentUsd }),
    say: (message, data) =>
      ctx.record({
        type: "agent_message",
        agent,
        level: "info",
        message: clip(message),
        data: { ...data, demo: driver.demo },
      }),
    reportUsage: (model, tokens, costUsd) => {
      spentUsd += costUsd;
      return ctx.record({
        type: "token_usage",
        agent,
        level: "info",
        message:
          `${model}: ${tokens.inputTokens} input, ${tokens.cacheReadTokens} cache-read, ` +
          `${tokens.cacheWriteTokens} cache-write and ${tokens.outputTokens} output tokens ` +
          `($${costUsd.toFixed(4)})`,
        data: { model, tokens, costUsd },
      });
    },
  };
}

/** The architect's or reviewer's conversation of this round, loaded once. */
function stageSession(
  conversations: Conversations,
  workflowId: string,
  round: number,
  stage: ConversationStage,
): StageSession & { clear(): Promise<void> } {
  let loaded: Promise<unknown> | undefined;
  return {
    load: () => (loaded ??= conversations.load(workflowId, round, stage)),
    save: async (state) => {
      await conversations.save(workflowId, round, state, stage);
      loaded = Promise.resolve(state);
    },
    clear: () => conversations.clear(workflowId, round, stage),
  };
}

/**
 * `stage_started`, or, for a round that stopped at the budget, that it continues (whose
 * instructions were then recorded already).
 */
async function startedOrContinued(
  ctx: StageContext,
  agent: ConversationStage,
  round: number,
  message: string,
  driver: AgentDriver,
  session: StageSession | undefined,
): Promise<{ continued: boolean }> {
  if ((await session?.load()) === undefined) {
    await stageStarted(ctx, agent, round, message);
    return { continued: false };
  }
  await ctx.record({
    type: "agent_message",
    agent,
    level: "info",
    message: `The ${agent} continues round ${round} from its saved conversation`,
    data: { demo: driver.demo },
  });
  return { continued: true };
}

/** Says why the stage stopped; the budget gate is next. */
async function stoppedAtBudget(
  ctx: StageContext,
  agent: AgentStage,
  { budgetStop }: BudgetStop,
  driver: AgentDriver,
): Promise<StoppedAtBudget> {
  const { budgetUsd = 0, usage } = ctx.workflow;
  await ctx.record({
    type: "agent_message",
    agent,
    level: "warning",
    message:
      `The ${agent} stopped before a model call that could cost up to $${budgetStop.nextCallUsd.toFixed(4)}: ` +
      `the workflow's budget of $${budgetUsd} would not cover it`,
    data: { demo: driver.demo, nextCallUsd: budgetStop.nextCallUsd, spentUsdBefore: usage.costUsd },
  });
  return { budget: true };
}

/**
 * The repository's instructions for an agent's stage, from its workspace. Recorded (unless
 * `record` is false): `instructions_loaded` naming the file, and the candidates skipped on the
 * way; a warning when every candidate present was skipped; nothing when the repository has none.
 */
async function instructionsFor(
  ctx: StageContext,
  agent: AgentStage,
  driver: AgentDriver,
  workspace: Workspace,
  files: readonly string[],
  record = true,
): Promise<RepositoryInstructions | undefined> {
  const { instructions, skipped } = await loadRepositoryInstructions(workspace, files);
  if (!record) return instructions;
  const notes = skipped.map(({ path, reason }) => `skipped ${path}: ${reason}`);
  if (instructions) {
    const { path, bytes, truncated } = instructions;
    await ctx.record({
      type: "instructions_loaded",
      agent,
      level: truncated ? "warning" : "info",
      message: clip(
        [`Repository instructions from ${instructionsSummary(instructions)}`, ...notes].join("; "),
      ),
      data: { path, bytes, truncated },
    });
  } else if (notes.length > 0) {
    await ctx.record({
      type: "agent_message",
      agent,
      level: "warning",
      message: clip(`No repository instructions: ${notes.join("; ")}`),
      data: { demo: driver.demo },
    });
  }
  return instructions;
}

/**
 * The round of a stage retried after a crash: its last start has no completion yet, so it runs
 * that round again instead of counting a new one.
 */
function retriedRound(log: readonly WorkflowEvent[], stage: AgentStage): number | undefined {
  for (let index = log.length - 1; index >= 0; index -= 1) {
    const event = log[index];
    if (event?.type === "stage_completed" && event.data.stage === stage) return undefined;
    if (event?.type === "stage_started") {
      return event.data.stage === stage ? event.data.round : undefined;
    }
  }
  return undefined;
}

/** Events that say how work went without changing what a stage is given. */
const PROGRESS_EVENTS = new Set<WorkflowEvent["type"]>([
  "agent_message",
  "token_usage",
  "system_error",
]);

/**
 * The round of a stage that already completed when its task runs again with the same input (a
 * retry after a crash, a duplicate delivery): its `stage_completed` is the log's last word but
 * for progress messages. That round is not redone.
 */
function completedRound(
  log: readonly WorkflowEvent[],
  stage: AgentStage,
): { round: number; event: Extract<WorkflowEvent, { type: "stage_completed" }> } | undefined {
  const last = log.findLast((event) => !PROGRESS_EVENTS.has(event.type));
  if (last?.type !== "stage_completed" || last.data.stage !== stage) return undefined;
  const started = log.findLast(
    (event) => event.type === "stage_started" && event.data.stage === stage,
  );
  const round = started?.type === "stage_started" ? started.data.round : undefined;
  return { round: round ?? 1, event: last };
}

function notRedone(ctx: StageContext, agent: AgentStage, round: number, driver: AgentDriver) {
  return ctx.record({
    type: "agent_message",
    agent,
    level: "info",
    message: `The ${agent}'s round ${round} was already completed: it is not done again`,
    data: { demo: driver.demo },
  });
}

/** What a developer invocation saves between turns: its conversation and its uncommitted work. */
interface SavedDeveloperWork {
  conversation: unknown;
  changes: FileChange[];
}

const savedDeveloperWorkSchema = z.object({
  conversation: z.unknown(),
  changes: z.array(
    z.union([
      z.object({ path: z.string(), content: z.string() }),
      z.object({ path: z.string(), deleted: z.literal(true) }),
    ]),
  ),
});

function savedProgress(saved: unknown): SavedDeveloperWork | undefined {
  if (saved === undefined) return undefined;
  const parsed = savedDeveloperWorkSchema.safeParse(saved);
  // A conversation saved before changes were saved with it: it had nothing pending to keep.
  return parsed.success
    ? { conversation: parsed.data.conversation, changes: parsed.data.changes }
    : { conversation: saved, changes: [] };
}

/**
 * The person's feedback on the last plan, if they rejected it; before a revision's first plan,
 * what the revision was asked.
 */
function planFeedback(log: readonly WorkflowEvent[]): string | undefined {
  const planAt = log.findLastIndex((event) => event.type === "plan_created");
  const rejection = log.findLast(
    (event, index) =>
      index > planAt && event.type === "approval_rejected" && event.data.gate === "plan",
  );
  if (rejection?.type === "approval_rejected") return rejection.data.feedback;
  return planAt < 0 ? revisionRequestOf(log)?.text : undefined;
}

/** What a revision was asked (by a person's review or comment on the pull request). */
function revisionRequestOf(log: readonly WorkflowEvent[]): RevisionRequest | undefined {
  const created = log[0];
  return created?.type === "workflow_created" ? created.data.request : undefined;
}

/**
 * The checks the developer's last round failed, when they are the newest word on it (no review
 * or decision since): the next round fixes them.
 */
function failedChecksOf(log: readonly WorkflowEvent[]): FailedCheck[] {
  const at = log.findLastIndex(
    (event) =>
      event.type === "checks_completed" ||
      event.type === "review_completed" ||
      event.type === "approval_rejected",
  );
  const last = log[at];
  if (last?.type !== "checks_completed" || last.data.passed) return [];
  const { runId } = last.data;
  return log.flatMap((event) =>
    event.type === "check_completed" && event.data.runId === runId && !checkPassed(event.data)
      ? [
          {
            name: event.data.name,
            command: event.data.command,
            exitCode: event.data.exitCode,
            timedOut: event.data.timedOut,
            output: event.data.output,
          },
        ]
      : [],
  );
}

/**
 * What the developer revises against: the last review's comments and the person's feedback;
 * before a revision's first review, the person's review of the pull request.
 */
function revisionInput(log: readonly WorkflowEvent[]): {
  reviewComments: string[];
  feedback?: string;
} {
  const reviewAt = log.findLastIndex((event) => event.type === "review_completed");
  const review = log[reviewAt];
  const rejection = log.findLast(
    (event, index) =>
      index > reviewAt && event.type === "approval_rejected" && event.data.gate === "review",
  );
  const request = reviewAt < 0 ? revisionRequestOf(log) : undefined;
  const feedback =
    rejection?.type === "approval_rejected" ? rejection.data.feedback : request?.text || undefined;
  return {
    reviewComments:
      review?.type === "review_completed"
        ? review.data.approved
          ? []
          : review.data.comments
        : (request?.comments.map(lineCommentText) ?? []),
    ...(feedback !== undefined && { feedback }),
  };
}

function clip(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS
    ? message
    : `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The `stage_started` event of an agent's stage (round `round`). */
function stageStarted(ctx: StageContext, agent: AgentStage, round: number, message: string) {
  return ctx.record({
    type: "stage_started",
    agent,
    level: "info",
    message,
    data: { stage: agent, round },
  });
}
