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

/** The `data` each event type carries; the log refuses an event whose data does not match. */
export const EVENT_DATA = {
  workflow_created: z.object({
    issueId: z.string(),
    title: z.string().optional(),
    description: z.string().optional(),
    repository: z.string().optional(),
    branch: z.string(),
    model: z.string(),
  }),
  workflow_started: z.object({ executionArn: z.string() }),
  stage_started: z.object({ stage, round: z.number().int().positive().optional() }),
  stage_completed: z.object({ stage, commit: z.string().optional() }),
  agent_message: z.object({ demo: z.boolean().optional() }).passthrough().optional(),
  plan_created: z.object({ plan: z.string(), round: z.number().int().positive() }),
  approval_required: z.object({
    gate,
    plan: z.string().optional(),
    review: reviewSchema.optional(),
    /** Asked again at the same gate: the decision before did not reach the execution. */
    reopened: z.literal(true).optional(),
  }),
  approval_granted: z.object({ gate }),
  approval_rejected: z.object({ gate, feedback: z.string().min(1) }),
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
  workflow_cancelled: z.object({ reason: z.string().optional() }),
  system_error: z.object({ error: z.string(), stage: stage.optional() }),
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
