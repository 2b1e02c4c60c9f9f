import * as z from "zod";
import type { Actor, ChecksSummary, Review, TokenCounts, WorkflowKind } from "../events/types";
import { MAX_BUDGET_USD } from "../definitions/limits";

export { MAX_BUDGET_USD };
import type { Gate, Stage, WorkflowStatus } from "./status";

export interface Usage extends TokenCounts {
  costUsd: number;
}

/** The workflow as the contract shows it: a projection of its event log. */
export interface Workflow {
  id: string;
  /** `issue`, or `revision`: the revision of an open pull request's branch. */
  kind: WorkflowKind;
  issueId: string;
  title?: string;
  description?: string;
  repository?: string;
  branch?: string;
  model: string;
  status: WorkflowStatus;
  stage: Stage;
  gate?: Gate;
  plan?: string;
  review?: Review;
  /** The latest round's checks. */
  checks?: ChecksSummary;
  /** Rounds so far: the architect's plans, the reviews, the developer's (absent in older logs). */
  iteration: { plan: number; review: number; developer?: number };
  usage: Usage;
  failureReason?: string;
  /** The pull request that proposes the work (a revision's: the one it revises), on GitHub. */
  pullRequestUrl?: string;
  /** Who started it; absent in older logs. */
  startedBy?: Actor;
  /** A revision's original workflow. */
  revisionOf?: string;
  /** The revisions of this workflow's pull request, oldest first. */
  revisions?: string[];
  /** What it may spend on models (US dollars; `usage.costUsd` is what it spent); absent: no limit. */
  budgetUsd?: number;
  lastSequence: number;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  /**
   * The workflow comes without its description, plan and review: in a listing, because it is too
   * large to list whole (`GET /api/workflows/{id}` has them); anywhere, when it ended while it
   * could not be stored whole (its events still hold every text).
   */
  abridged?: true;
}

/** The workflow without the texts that can make it large, marked as such. */
export function abridged(workflow: Workflow): Workflow {
  const shortened: Workflow = { ...workflow, abridged: true };
  delete shortened.description;
  delete shortened.plan;
  delete shortened.review;
  return shortened;
}

/** A page of workflows, as the store lists them and `GET /api/workflows` answers. */
export interface WorkflowPage {
  workflows: Workflow[];
  nextCursor?: string;
}

export const ISSUE_ID_PATTERN = /^[A-Za-z0-9._#/-]{1,128}$/;

/**
 * The limits of a person's text, in UTF-8 bytes, as DynamoDB and API Gateway count. They are the
 * product's: the log and the projection keep texts of any of these sizes whole (in parts past one
 * item), and an event too large for one WebSocket message reaches clients as a reference.
 */
export const TEXT_LIMIT_BYTES = {
  title: 1_024,
  description: 256 * 1024,
  repository: 1_024,
  feedback: 50_000,
  reason: 2_000,
} as const;

const utf8 = new TextEncoder();

/** The text, as the schema made it (trimmed), within the field's limit; a refusal names it. */
function limited(text: z.ZodString, field: keyof typeof TEXT_LIMIT_BYTES): z.ZodString {
  const limitBytes = TEXT_LIMIT_BYTES[field];
  return text.refine((value) => utf8.encode(value).byteLength <= limitBytes, {
    message: `must be at most ${limitBytes} bytes of UTF-8 text`,
    params: { limitBytes },
  });
}

function budgetSchema() {
  return z
    .number()
    .positive("must be more than 0")
    .max(MAX_BUDGET_USD, `must be at most ${MAX_BUDGET_USD} US dollars`);
}

export const raiseBudgetSchema = z.strictObject({ budgetUsd: budgetSchema() });

export const createWorkflowSchema = z.strictObject({
  issueId: z
    .string()
    .regex(ISSUE_ID_PATTERN, "must be 1-128 characters of letters, digits and . _ # / -"),
  title: limited(z.string().trim().min(1), "title").optional(),
  description: limited(z.string(), "description").optional(),
  repository: limited(z.string().trim().min(1), "repository").optional(),
  budgetUsd: budgetSchema().optional(),
});
export type CreateWorkflowInput = z.infer<typeof createWorkflowSchema>;

export const rejectSchema = z.strictObject({
  feedback: limited(z.string().trim().min(1, "feedback is required"), "feedback"),
});

export const emptyBodySchema = z.strictObject({});

export const listWorkflowsSchema = z.strictObject({
  status: z
    .enum(["pending", "in_progress", "blocked", "completed", "failed", "cancelled"])
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
});

/** The path of `GET /api/workflows/{id}/checks/{runId}/{index}/log`. */
export const checkLogPathSchema = z.object({
  id: z.string().min(1),
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, "is not a checks run id"),
  index: z.coerce.number().int().min(0).max(999),
});

export const listEventsSchema = z.strictObject({
  since: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1_000).default(500),
});

/** `GET …/diff`: which developer round; the latest when absent. */
export const diffQuerySchema = z.strictObject({
  round: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, "a round is a positive integer")
    .transform(Number)
    .optional(),
});

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
}

export const cancelSchema = z.strictObject({
  reason: limited(z.string().trim().min(1), "reason").optional(),
});
