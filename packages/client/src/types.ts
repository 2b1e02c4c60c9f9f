/**
 * The contract's JSON shapes. Core's types are re-exported as types only (nothing of core is
 * bundled); what only the HTTP answers have, and core has no type for, is declared here.
 */
export type {
  DiffFile,
  DiffFileStatus,
  DiffHunk,
  DiffLinks,
  WorkflowDiff,
} from "@amelia/core/diff/WorkflowDiff";
export type { FieldIssue } from "@amelia/core/errors";
export type {
  Actor,
  Agent,
  ChecksSummary,
  EventData,
  EventPage,
  EventType,
  Level,
  Review,
  WorkflowEvent,
} from "@amelia/core/events/types";
export type { ServerMessage } from "@amelia/core/realtime/messages";
export type { Gate, Stage, WorkflowStatus } from "@amelia/core/workflow/status";
export type {
  CreateWorkflowInput,
  Usage,
  Workflow,
  WorkflowPage,
} from "@amelia/core/workflow/Workflow";

/** `GET /api/health`. */
export interface Health {
  status: string;
  version: string;
  checks: { database: string; model: { name: string; demo: boolean } };
}

/** The contract's error answer. */
export interface ErrorBody {
  code: string;
  error: string;
  details?: unknown;
}
