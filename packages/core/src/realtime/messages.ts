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
  /**
   * An event too large for one WebSocket message (128 KB): read it over HTTP with
   * `GET /api/workflows/{workflowId}/events?since={sequence - 1}&limit=1`.
   */
  | { type: "event_reference"; workflowId: string; sequence: number; bytes: number }
  | { type: "backfill_complete"; workflowId: string; count: number }
  | { type: "pong" }
  | { type: "error"; code: ErrorCode; error: string; details?: unknown };
