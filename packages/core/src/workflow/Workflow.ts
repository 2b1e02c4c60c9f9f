import * as z from "zod";
import type { Review, TokenCounts } from "../events/types";
import type { Gate, Stage, WorkflowStatus } from "./status";

export interface Usage extends TokenCounts {
  costUsd: number;
}

/** The workflow as the contract shows it: a projection of its event log. */
export interface Workflow {
  id: string;
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
  iteration: { plan: number; review: number };
  usage: Usage;
  failureReason?: string;
  /** The pull request that proposes the work, when the repository is on GitHub. */
  pullRequestUrl?: string;
  lastSequence: number;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
}

/** A page of workflows, as the store lists them and `GET /api/workflows` answers. */
export interface WorkflowPage {
  workflows: Workflow[];
  nextCursor?: string;
}

export const ISSUE_ID_PATTERN = /^[A-Za-z0-9._#/-]{1,128}$/;

export const createWorkflowSchema = z.strictObject({
  issueId: z
    .string()
    .regex(ISSUE_ID_PATTERN, "must be 1-128 characters of letters, digits and . _ # / -"),
  title: z.string().trim().min(1).max(500).optional(),
  description: z.string().max(100_000).optional(),
  repository: z.string().trim().min(1).max(1_024).optional(),
});
export type CreateWorkflowInput = z.infer<typeof createWorkflowSchema>;

export const rejectSchema = z.strictObject({
  feedback: z.string().trim().min(1, "feedback is required").max(20_000),
});

export const emptyBodySchema = z.strictObject({});

export const listWorkflowsSchema = z.strictObject({
  status: z
    .enum(["pending", "in_progress", "blocked", "completed", "failed", "cancelled"])
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
});

export const listEventsSchema = z.strictObject({
  since: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1_000).default(500),
});

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
}

export const cancelSchema = z.strictObject({
  reason: z.string().trim().min(1).max(2_000).optional(),
});
