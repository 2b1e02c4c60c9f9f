import * as z from "zod";
import type { ErrorCode } from "../errors";
import type { WorkflowEvent } from "../events/types";

/** Client → server messages of the WebSocket protocol. */
export const subscribeMessageSchema = z.strictObject({
  action: z.literal("subscribe"),
  workflowId: z.string().min(1).max(128),
  since: z.number().int().min(0).optional(),
});

export const unsubscribeMessageSchema = z.strictObject({
  action: z.literal("unsubscribe"),
  workflowId: z.string().min(1).max(128),
});

export const ALL_WORKFLOWS = "*";

/** Server → client messages. */
export type ServerMessage =
  | { type: "subscribed"; workflowId: string }
  | { type: "unsubscribed"; workflowId: string }
  | { type: "event"; event: WorkflowEvent }
  | { type: "backfill_complete"; workflowId: string; count: number }
  | { type: "pong" }
  | { type: "error"; code: ErrorCode; error: string; details?: unknown };
