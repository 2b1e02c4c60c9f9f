import type { Agent, Level, Stage, Usage, WorkflowStatus } from "@amelia/client";

export const STATUS_LABELS: Record<WorkflowStatus, string> = {
  pending: "Pending",
  in_progress: "In progress",
  blocked: "Waiting for approval",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const STAGE_LABELS: Record<Stage, string> = {
  architect: "Architect",
  plan_approval: "Plan approval",
  developer: "Developer",
  verify: "Checks",
  reviewer: "Reviewer",
  review_approval: "Review approval",
  done: "Done",
};

export const AGENT_LABELS: Record<Agent, string> = {
  system: "System",
  architect: "Architect",
  developer: "Developer",
  reviewer: "Reviewer",
  human: "Human",
};

export const LEVEL_LABELS: Record<Level, string> = {
  debug: "Debug",
  info: "Info",
  warning: "Warning",
  error: "Error",
};

export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd > 0 && usd < 0.01 ? 4 : 2)}`;
}

const count = new Intl.NumberFormat("en");

export function formatTokens(usage: Usage): string {
  return `${count.format(usage.inputTokens)} in · ${count.format(usage.outputTokens)} out · ${count.format(usage.cacheReadTokens)} cache read · ${count.format(usage.cacheWriteTokens)} cache write`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour12: false });
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
    hour12: false,
  });
}
