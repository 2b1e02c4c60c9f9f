import {
  checkPassed,
  decidedBy,
  suggestedBudget,
  type Actor,
  type Agent,
  type ChecksSummary,
  type Level,
  type Usage,
  type Workflow,
  type WorkflowDiff,
  type WorkflowEvent,
  type WorkflowStatus,
} from "@amelia/client";
import Table from "cli-table3";
import type { Colors } from "picocolors/types";
import { changesSummary } from "./diffFormat";

type Paint = (text: string) => string;

const STATUS_COLOUR: Record<WorkflowStatus, (c: Colors) => Paint> = {
  pending: (c) => c.dim,
  in_progress: (c) => c.cyan,
  blocked: (c) => c.yellow,
  completed: (c) => c.green,
  failed: (c) => c.red,
  cancelled: (c) => c.gray,
};

const AGENT_COLOUR: Record<Agent, (c: Colors) => Paint> = {
  system: (c) => c.gray,
  architect: (c) => c.magenta,
  developer: (c) => c.blue,
  reviewer: (c) => c.cyan,
  human: (c) => c.green,
};

const LEVEL_COLOUR: Record<Level, (c: Colors) => Paint> = {
  debug: (c) => c.dim,
  info: () => (text) => text,
  warning: (c) => c.yellow,
  error: (c) => c.red,
};

/** Column widths of an event line, so a stream of lines reads as a table. */
const SEQUENCE_WIDTH = 4;
const AGENT_WIDTH = 9;
/** The longest event type: instructions_loaded. */
const TYPE_WIDTH = 19;

export function statusLabel(workflow: Pick<Workflow, "status" | "gate">, c: Colors): string {
  const text =
    workflow.status === "blocked" && workflow.gate
      ? `blocked (${workflow.gate} gate)`
      : workflow.status;
  return STATUS_COLOUR[workflow.status](c)(text);
}

/** An aligned, borderless table of workflows, newest first as the server sends them. */
export function workflowTable(workflows: readonly Workflow[], c: Colors, now = Date.now()): string {
  return plainTable(
    ["ID", "ISSUE", "STATUS", "STAGE", "UPDATED", "TITLE"],
    workflows.map((w) => [
      w.id,
      w.issueId,
      statusLabel(w, c),
      w.stage,
      age(w.updatedAt, now),
      w.title ?? "",
    ]),
    c,
  );
}

/** The latest round's checks: a line saying how it went, then each check's result and time. */
function checksTable(checks: ChecksSummary, c: Colors): string {
  const failing = checks.results.filter((result) => !checkPassed(result)).length;
  const outcome = checks.passed
    ? c.green("all passed")
    : c.red(`${failing} of ${checks.results.length} failing`);
  const rows = checks.results.map((result) => [
    result.name,
    (checkPassed(result) ? c.green : c.red)(checkResult(result)),
    duration(result.durationMs),
  ]);
  return `Round ${checks.round}: ${outcome}\n${plainTable(["CHECK", "RESULT", "DURATION"], rows, c)}`;
}

function checkResult(result: ChecksSummary["results"][number]): string {
  if (result.timedOut) return "timed out";
  return result.exitCode === 0 ? "passed" : `failed (exit ${result.exitCode})`;
}

/** "0.4s", "12.0s", "3m 5s". */
function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
}

/** Columns aligned under bold headings, no borders, no trailing spaces. */
function plainTable(head: string[], rows: string[][], c: Colors): string {
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    chars: Object.fromEntries(BORDER_CHARS.map((name) => [name, ""])),
    style: { head: [], border: [], "padding-left": 0, "padding-right": 2 },
  });
  table.push(...rows);
  return table
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}

const BORDER_CHARS = [
  "top",
  "top-mid",
  "top-left",
  "top-right",
  "bottom",
  "bottom-mid",
  "bottom-left",
  "bottom-right",
  "left",
  "left-mid",
  "mid",
  "mid-mid",
  "right",
  "right-mid",
  "middle",
] as const;

/**
 * Everything a person needs to decide at a gate: fields, the latest round's changes, plan, the
 * latest checks, review, and what to run next.
 */
export function workflowDetail(
  w: Workflow,
  c: Colors,
  now = Date.now(),
  changes?: Pick<WorkflowDiff, "round" | "totals">,
): string {
  const fields: Array<[string, string | undefined]> = [
    ["Workflow", w.id],
    ["Kind", w.kind],
    ["Revision of", w.revisionOf],
    ["Issue", w.title ? `${w.issueId}  ${w.title}` : w.issueId],
    ["Status", statusLabel(w, c)],
    ["Stage", w.stage],
    ["Repository", w.repository ?? "scratch repository (none given)"],
    ["Branch", w.branch],
    ["Pull request", w.pullRequestUrl],
    ["Model", w.model],
    ["Started by", w.startedBy && actorLabel(w.startedBy)],
    ["Rounds", `plan ${w.iteration.plan}, review ${w.iteration.review}`],
    ["Changes", changes && `${changesSummary(changes, c)}  ${c.dim(`amelia diff ${w.id}`)}`],
    ["Usage", usageSummary(w.usage)],
    ["Budget", budgetSummary(w)],
    ["Created", `${w.createdAt} (${age(w.createdAt, now)})`],
    ["Updated", `${w.updatedAt} (${age(w.updatedAt, now)})`],
    ["Completed", w.completedAt],
    ["Failure", w.failureReason && c.red(w.failureReason)],
  ];
  const present = fields.filter((field): field is [string, string] => field[1] !== undefined);
  const width = Math.max(...present.map(([label]) => label.length)) + 2;
  const lines = present.map(([label, value]) => `${c.bold(label.padEnd(width))}${value}`);
  const section = (title: string, body: string) =>
    lines.push("", c.bold(title), ...body.split("\n").map((line) => `  ${line}`.trimEnd()));
  if (w.description) section("Description", w.description);
  if (w.revisions?.length) {
    section("Revisions", w.revisions.map((id, index) => `${index + 1}. ${id}`).join("\n"));
  }
  if (w.plan) section("Plan", w.plan.trimEnd());
  if (w.checks) section("Checks", checksTable(w.checks, c));
  if (w.review) {
    section(
      "Review",
      [
        `${w.review.approved ? c.green("approved") : c.yellow("changes requested")}, severity ${w.review.severity}`,
        ...w.review.comments.map((comment) => `- ${comment}`),
      ].join("\n"),
    );
  }
  const next = nextSteps(w);
  if (next) lines.push("", c.dim(next));
  return lines.join("\n");
}

/** Who acted: "@octocat (GitHub)", or "API" for a caller of the API (the CLI, the web page). */
function actorLabel(actor: Actor): string {
  return actor.source === "github" ? `@${actor.login} (GitHub)` : "API";
}

/**
 * What the person can run next, when the workflow waits for them; at the budget gate, with a
 * budget to raise it to when the budget and what was spent are known.
 */
export function nextSteps(
  w: Pick<Workflow, "id" | "status" | "gate" | "budgetUsd"> & { usage?: Pick<Usage, "costUsd"> },
): string | undefined {
  if (w.status === "blocked" && w.gate === "budget") {
    const raised =
      w.budgetUsd === undefined || w.usage === undefined
        ? "<usd>"
        : String(suggestedBudget(w.budgetUsd, w.usage.costUsd));
    return `Waiting for more budget: amelia budget ${w.id} ${raised}  or  amelia cancel ${w.id}`;
  }
  if (w.status === "blocked") {
    const gate = w.gate ? `the ${w.gate} gate` : "a gate";
    return `Waiting at ${gate}: amelia approve ${w.id}  or  amelia reject ${w.id} "<feedback>"`;
  }
  if (w.status === "failed") return `To retry from the failed stage: amelia resume ${w.id}`;
  return undefined;
}

/** A budget in US dollars: "$5.00", "$2.50", "$0.125". */
export function budgetDollars(usd: number): string {
  const cents = usd * 100;
  return `$${Math.abs(cents - Math.round(cents)) < 1e-9 ? usd.toFixed(2) : String(usd)}`;
}

/** What the workflow spent of its budget: "$0.0421 spent of $5.00", or that it has none. */
export function budgetSummary(w: Pick<Workflow, "budgetUsd" | "usage">): string {
  if (w.budgetUsd === undefined) return "none (no limit)";
  return `$${w.usage.costUsd.toFixed(4)} spent of ${budgetDollars(w.budgetUsd)}`;
}

export function usageSummary(usage: Workflow["usage"]): string {
  const n = (value: number) => value.toLocaleString("en-US");
  return (
    `${n(usage.inputTokens)} input, ${n(usage.outputTokens)} output, ` +
    `${n(usage.cacheReadTokens)} cache read, ${n(usage.cacheWriteTokens)} cache write tokens; ` +
    `$${usage.costUsd.toFixed(4)}`
  );
}

/** One event as one line (continuation lines indented under the message). */
export function eventLine(event: WorkflowEvent, c: Colors): string {
  const time = new Date(event.timestamp).toTimeString().slice(0, 8);
  const prefix = [
    String(event.sequence).padStart(SEQUENCE_WIDTH),
    time,
    event.agent.padEnd(AGENT_WIDTH),
    event.type.padEnd(TYPE_WIDTH),
  ];
  const indent = " ".repeat(prefix.join("  ").length + 2);
  const paint = event.type === "approval_required" ? c.yellow : LEVEL_COLOUR[event.level](c);
  const by = decidedBy(event);
  const message =
    event.message
      .split("\n")
      .map((line, index) => (index === 0 ? paint(line) : `${indent}${paint(line)}`))
      .join("\n") + (by ? `  ${c.dim(`by ${actorLabel(by)}`)}` : "");
  return [
    c.dim(prefix[0]!),
    c.dim(prefix[1]!),
    AGENT_COLOUR[event.agent](c)(prefix[2]!),
    prefix[3],
    message,
  ].join("  ");
}

/** "12s ago", "5m ago", "3h ago", "2d ago". */
export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}
