import * as z from "zod";
import { MAX_MESSAGE_CHARS } from "../definitions/limits";
import { GATES, STAGES } from "../workflow/status";

export const AGENTS = ["system", "architect", "developer", "reviewer", "human"] as const;
export type Agent = (typeof AGENTS)[number];

export const LEVELS = ["debug", "info", "warning", "error"] as const;
export type Level = (typeof LEVELS)[number];

const gate = z.enum(GATES);
const stage = z.enum(STAGES);

export const reviewSchema = z.object({
  approved: z.boolean(),
  severity: z.enum(["none", "minor", "major", "critical"]),
  comments: z.array(z.string()),
});
export type Review = z.infer<typeof reviewSchema>;

export const tokenCountsSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cacheReadTokens: z.number().int().nonnegative(),
  cacheWriteTokens: z.number().int().nonnegative(),
});
export type TokenCounts = z.infer<typeof tokenCountsSchema>;

const checkOutcome = z.object({
  name: z.string(),
  exitCode: z.number().int(),
  durationMs: z.number().nonnegative(),
  timedOut: z.boolean(),
});

/** A round's checks: the latest are on the workflow. */
export const checksSummarySchema = z.object({
  round: z.number().int().positive(),
  runId: z.string(),
  passed: z.boolean(),
  results: z.array(checkOutcome),
});
export type ChecksSummary = z.infer<typeof checksSummarySchema>;

/** Who took a decision or started a workflow: a caller of the API (the CLI, the web page), or a GitHub user. */
export const actorSchema = z.discriminatedUnion("source", [
  z.object({ source: z.literal("api") }),
  z.object({ source: z.literal("github"), login: z.string().min(1) }),
]);
export type Actor = z.infer<typeof actorSchema>;
/** Callers of the API share its token: the log can say only that the API was used. */
export const API_ACTOR: Actor = { source: "api" };

/** An issue's workflow plans, then implements; a revision changes an open pull request's branch. */
export const WORKFLOW_KINDS = ["issue", "revision"] as const;
export type WorkflowKind = (typeof WORKFLOW_KINDS)[number];

/** A review comment on a line of a pull request, as the person left it. */
export const lineCommentSchema = z.object({
  path: z.string(),
  line: z.number().int().positive().optional(),
  body: z.string(),
  author: z.string().optional(),
});
export type LineComment = z.infer<typeof lineCommentSchema>;

/** What a person asked a revision to change: their words, and their comments on lines. */
export const revisionRequestSchema = z.object({
  text: z.string(),
  comments: z.array(lineCommentSchema),
  /** The architect plans the revision first, and a person approves the plan. */
  replan: z.literal(true).optional(),
});
export type RevisionRequest = z.infer<typeof revisionRequestSchema>;

/** The `data` each event type carries; the log refuses an event whose data does not match. */
export const EVENT_DATA = {
  workflow_created: z.object({
    issueId: z.string(),
    title: z.string().optional(),
    description: z.string().optional(),
    repository: z.string().optional(),
    branch: z.string(),
    model: z.string(),
    /** Absent in older logs: an issue. */
    kind: z.enum(WORKFLOW_KINDS).optional(),
    by: actorSchema.optional(),
    /** A revision's: the workflow whose pull request it revises, that pull request, its plan. */
    revisionOf: z.string().optional(),
    pullRequestUrl: z.url().optional(),
    plan: z.string().optional(),
    request: revisionRequestSchema.optional(),
    /** What the workflow may spend on models, in US dollars; absent: no limit. */
    budgetUsd: z.number().positive().optional(),
  }),
  workflow_started: z.object({ executionArn: z.string() }),
  stage_started: z.object({ stage, round: z.number().int().positive().optional() }),
  stage_completed: z.object({
    stage,
    commit: z.string().optional(),
    /** A developer round's: where the branch started, which its diff is measured against. */
    baseCommit: z.string().optional(),
  }),
  agent_message: z.object({ demo: z.boolean().optional() }).passthrough().optional(),
  plan_created: z.object({ plan: z.string(), round: z.number().int().positive() }),
  approval_required: z.object({
    gate,
    plan: z.string().optional(),
    review: reviewSchema.optional(),
    /** Asked again at the same gate: the decision before did not reach the execution. */
    reopened: z.literal(true).optional(),
    /** At the budget gate: what was spent, and the budget the next model call would pass. */
    spentUsd: z.number().nonnegative().optional(),
    budgetUsd: z.number().positive().optional(),
  }),
  approval_granted: z.object({ gate, by: actorSchema.optional() }),
  approval_rejected: z.object({ gate, feedback: z.string().min(1), by: actorSchema.optional() }),
  file_created: z.object({ path: z.string() }),
  file_modified: z.object({ path: z.string() }),
  file_deleted: z.object({ path: z.string() }),
  review_completed: reviewSchema.extend({ round: z.number().int().positive() }),
  revision_requested: z.object({
    round: z.number().int().positive(),
    comments: z.array(z.string()),
  }),
  token_usage: z.object({ model: z.string(), tokens: tokenCountsSchema, costUsd: z.number() }),
  workflow_completed: z.object({
    branch: z.string().optional(),
    commit: z.string().optional(),
    pullRequestUrl: z.url().optional(),
  }),
  checks_started: z.object({
    round: z.number().int().positive(),
    runId: z.string(),
    checks: z.array(z.string()),
    source: z.enum(["file", "detected"]),
    /** `unsafe-host` when commands run on the host, not in a sandbox: flagged everywhere. */
    sandbox: z.string(),
  }),
  check_completed: checkOutcome.extend({
    round: z.number().int().positive(),
    runId: z.string(),
    command: z.string(),
    /** The end of the output (16 KB); the whole log: GET …/checks/{runId}/{index}/log. */
    output: z.string(),
    index: z.number().int().nonnegative(),
  }),
  checks_completed: checksSummarySchema,
  workflow_failed: z.object({ reason: z.string(), stage: stage.optional() }),
  workflow_resumed: z.object({ stage, failureReason: z.string().optional() }),
  workflow_cancelled: z.object({ reason: z.string().optional(), by: actorSchema.optional() }),
  /** On the original workflow, completed or not: a revision of its pull request started. */
  revision_created: z.object({ revisionId: z.string(), pullRequestUrl: z.url(), by: actorSchema }),
  /** A person raised the workflow's budget; at the budget gate the stage then continues. */
  budget_raised: z.object({
    budgetUsd: z.number().positive(),
    previousUsd: z.number().positive().optional(),
    by: actorSchema,
  }),
  system_error: z.object({ error: z.string(), stage: stage.optional() }),
  /** An agent's stage was given the repository's instructions file (`bytes`: the whole file's). */
  instructions_loaded: z.object({
    path: z.string(),
    bytes: z.number().int().nonnegative(),
    truncated: z.boolean(),
  }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

/** What a writer hands to the log; the log adds id, sequence and timestamp. */
export type NewEvent<T extends EventType = EventType> = {
  [K in T]: {
    type: K;
    agent: Agent;
    level: Level;
    message: string;
    data: EventData<K>;
  };
}[T];

export type WorkflowEvent<T extends EventType = EventType> = NewEvent<T> & {
  id: string;
  workflowId: string;
  sequence: number;
  timestamp: string;
};

/** A page of a workflow's events, as the log is read and `GET …/events` answers. */
export interface EventPage {
  events: WorkflowEvent[];
  /** Present when more events follow: pass it as `since` to read on. */
  nextSince?: number;
}

export const newEventSchema = z
  .object({
    type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
    agent: z.enum(AGENTS),
    level: z.enum(LEVELS),
    message: z.string().max(MAX_MESSAGE_CHARS),
    data: z.unknown(),
  })
  .superRefine((event, ctx) => {
    const parsed = EVENT_DATA[event.type].safeParse(event.data);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: "custom", path: ["data", ...issue.path], message: issue.message });
      }
    }
  });
