import type { ChecksSummary, Review, TokenCounts } from "../events/types";
import type { Workspace } from "../workspace/Workspace";

export interface IssueSummary {
  issueId: string;
  title?: string;
  description?: string;
}

/**
 * The file a repository keeps for coding agents (`AGENTS.md`, …): its conventions, given to every
 * agent as repository content. `text` is at most 32 KB of it, cut at a character boundary.
 */
export interface RepositoryInstructions {
  /** Where it is, from the repository root. */
  path: string;
  text: string;
  /** True when the file is longer than `text`. */
  truncated: boolean;
  /** The whole file's size. */
  bytes: number;
}

export interface PlanRequest {
  issue: IssueSummary;
  /** 1 for the first plan, +1 for each re-plan. */
  round: number;
  /** What the person said when rejecting the previous plan. */
  feedback?: string;
  previousPlan?: string;
  /** The workspace's files, for context. */
  files: string[];
  /** The checks that will verify the work (the plan lists them); none when the repository has none. */
  checks?: { names: string[]; source: "file" | "detected" };
  /** The repository's instructions, when it keeps any: the plan names their file. */
  instructions?: RepositoryInstructions;
}

/** A check that failed on the developer's last round, with the end of its output. */
export interface FailedCheck {
  name: string;
  command: string;
  exitCode: number;
  timedOut: boolean;
  output: string;
}

export interface DevelopRequest {
  issue: IssueSummary;
  plan: string;
  /** 1 for the first implementation, +1 for each revision. */
  round: number;
  /** The last review's comments when it asked for changes. */
  reviewComments: string[];
  /** What the person said when rejecting at the review gate. */
  feedback?: string;
  /** The checks the last round failed: this round fixes them. */
  failedChecks?: FailedCheck[];
  /** The repository's instructions, when it keeps any. */
  instructions?: RepositoryInstructions;
}

export interface ReviewRequest {
  issue: IssueSummary;
  plan: string;
  /** Unified diff of the branch against its base commit. */
  diff: string;
  round: number;
  /** The checks of the change under review, when the repository has any. */
  checks?: ChecksSummary;
  /** The repository's instructions, when it keeps any. */
  instructions?: RepositoryInstructions;
}

/** What a tool gives back to the model; an error result lets it correct itself. */
export interface ToolOutcome {
  content: string;
  isError: boolean;
}

/** Runs things in the checks' sandbox on the workspace as it is now (each run is an event). */
export interface SandboxTools {
  /** The repository's checks, or those named. */
  runChecks(names?: readonly string[]): Promise<ToolOutcome>;
  /** One command; only the developer has it. */
  runCommand?(command: string): Promise<ToolOutcome>;
}

/** How a driver talks back while it works; each call becomes an event in the workflow's log. */
export interface AgentContext {
  /** A progress message for the person watching (an `agent_message` event). */
  say(message: string, data?: Record<string, unknown>): Promise<void>;
  /** Tokens one model call used, as the API reported them (a `token_usage` event). */
  reportUsage(model: string, tokens: TokenCounts, costUsd: number): Promise<void>;
  /** The sandbox tools, where the repository can be checked. */
  sandbox?: SandboxTools;
  /** What the workflow may still spend (US dollars) now; absent: no limit. */
  remainingBudgetUsd?(): number;
}

/**
 * An agent stopped before a model call whose worst case would pass the workflow's budget; its
 * conversation is saved, and it continues from there once the budget is raised.
 */
export interface BudgetStop {
  budgetStop: { nextCallUsd: number };
}

/**
 * Where the architect's or the reviewer's conversation is kept when it stops at the budget: the
 * next invocation of the same round continues it.
 */
export interface StageSession {
  load(): Promise<unknown>;
  save(state: unknown): Promise<void>;
}

/**
 * The developer's work may span several Lambda invocations: each takes a budget of turns, saves
 * its conversation and hands back; the next one loads it and goes on (the state machine loops).
 */
export interface DevelopSession {
  /** What an earlier invocation of this round saved, if any. */
  load(): Promise<unknown>;
  save(state: unknown): Promise<void>;
  /** Model turns this invocation may take before it saves and hands back. */
  turnBudget: number;
  /** Epoch ms after which no new turn starts, so the invocation ends well within its limit. */
  deadline: number;
}

export type DevelopResult = { done: true; summary: string } | { done: false } | BudgetStop;

/**
 * The model behind the three agents: the offline demo model, or Claude. A driver changes files
 * only through the workspace it is handed (the architect and reviewer only read it), and records
 * nothing itself: the stage runners turn its results and context calls into events.
 */
export interface AgentDriver {
  readonly model: string;
  /** True for the offline demo model, so the UI and health check can say so. */
  readonly demo: boolean;
  plan(
    request: PlanRequest,
    workspace: Workspace,
    ctx: AgentContext,
    session?: StageSession,
  ): Promise<{ plan: string } | BudgetStop>;
  develop(
    request: DevelopRequest,
    workspace: Workspace,
    ctx: AgentContext,
    session: DevelopSession,
  ): Promise<DevelopResult>;
  review(
    request: ReviewRequest,
    workspace: Workspace,
    ctx: AgentContext,
    session?: StageSession,
  ): Promise<{ review: Review } | BudgetStop>;
}
