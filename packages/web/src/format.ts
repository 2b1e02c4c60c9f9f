import type {
  Actor,
  Agent,
  Gate,
  Level,
  Stage,
  Usage,
  Workflow,
  WorkflowStatus,
} from "@amelia/client";

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

/** What a workflow waits for at each gate. */
export const GATE_LABELS: Record<Gate, string> = {
  plan: "plan approval",
  review: "review approval",
  budget: "more budget",
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

/** What a workflow spent, and of what budget when it has one: "$0.42 of $1.00". */
export function formatSpend({ usage, budgetUsd }: Pick<Workflow, "usage" | "budgetUsd">): string {
  const spent = formatCost(usage.costUsd);
  return budgetUsd === undefined ? spent : `${spent} of ${formatCost(budgetUsd)}`;
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

/** A check's result as a person reads it. */
export function checkResultLabel(result: { exitCode: number; timedOut: boolean }): string {
  if (result.timedOut) return "Timed out";
  return result.exitCode === 0 ? "Passed" : `Failed (exit ${result.exitCode})`;
}

/** "0.4 s", "12.0 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * Who acted, as the end of a sentence: "by @octocat on GitHub", "through the API/CLI". The login
 * stays text: the page cannot tell github.com from a GitHub Enterprise server.
 */
export function actorText(actor: Actor): string {
  return actor.source === "github" ? `by @${actor.login} on GitHub` : "through the API/CLI";
}

/** A pull request's address as a link shows it: "octo-org/app/pull/7" on github.com. */
export function pullRequestLabel(url: string): string {
  return url.replace(/^https:\/\/github\.com\//, "");
}
