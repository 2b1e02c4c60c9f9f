/** The contract's JSON shapes, shared with the server as types only (nothing is bundled). */
export type { Agent, Level, Review, WorkflowEvent } from "@amelia/core/events/types";
export type { ServerMessage } from "@amelia/core/realtime/messages";
export type { Gate, Stage, WorkflowStatus } from "@amelia/core/workflow/status";
export type { Usage, Workflow } from "@amelia/core/workflow/Workflow";
export type { FieldIssue } from "@amelia/core/errors";
