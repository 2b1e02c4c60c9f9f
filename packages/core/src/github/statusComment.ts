import { checkPassed } from "../checks/checkResults";
import type { Workflow } from "../workflow/Workflow";
import { statusMarker } from "./markers";

/** GitHub refuses a comment over 65,536 characters; the plan is cut well before. */
const MAX_QUOTED_CHARACTERS = 40_000;

const DECIDE =
  "Reply `/amelia approve`, or `/amelia reject <what to change>` (people with write access to " +
  "the repository), or decide on Amelia's page or with its CLI.";

/**
 * The one comment a workflow keeps on its issue (a revision: on its pull request), as the
 * workflow stands now: rendered from the workflow alone, so any delivery can bring it up to date.
 */
export function statusCommentBody(workflow: Workflow): string {
  const what =
    workflow.kind === "revision" ? "revision of this pull request" : "work on this issue";
  const lines = [
    statusMarker(workflow.id),
    `**Amelia** · ${what} · workflow \`${workflow.id}\``,
    "",
  ];
  switch (workflow.status) {
    case "pending":
    case "in_progress":
      lines.push(progress(workflow));
      break;
    case "blocked":
      lines.push(...gateLines(workflow));
      break;
    case "completed":
      lines.push(
        workflow.pullRequestUrl !== undefined
          ? `✅ Completed: ${workflow.pullRequestUrl}`
          : `✅ Completed on branch \`${workflow.branch ?? ""}\`, with nothing to propose.`,
      );
      break;
    case "failed":
      lines.push(
        `❌ Failed at the ${workflow.stage} stage: ${oneLine(workflow.failureReason ?? "no reason recorded")}`,
        "",
        "A person can resume it from Amelia's page or with its CLI.",
      );
      break;
    case "cancelled":
      lines.push("⏹️ Cancelled.");
      break;
  }
  return `${lines.join("\n")}\n`;
}

function progress(workflow: Workflow): string {
  const { stage, iteration } = workflow;
  switch (stage) {
    case "architect":
      return `🧭 Started: the architect is planning${round(iteration.plan)}.`;
    case "developer":
      return `🛠️ The developer is implementing the plan${round(iteration.developer)}.`;
    case "verify":
      return "🧪 The repository's checks are running on the developer's work.";
    case "reviewer":
      return `🔎 The reviewer is reviewing the change${round(iteration.review)}.`;
    default:
      return `⏳ In progress (${stage}).`;
  }
}

function gateLines(workflow: Workflow): string[] {
  switch (workflow.gate) {
    case "plan":
      return planGate(workflow);
    case "budget":
      return [
        `💰 The ${workflow.stage} stopped at the budget: $${workflow.usage.costUsd.toFixed(2)} ` +
          `spent of $${workflow.budgetUsd ?? 0}. Raise the budget on Amelia's page or with its ` +
          "CLI (`amelia budget <id> <usd>`) to continue, or cancel.",
      ];
    default:
      return reviewGate(workflow);
  }
}

function planGate(workflow: Workflow): string[] {
  return [
    "📝 The plan is ready and waits for a decision.",
    "",
    "<details open><summary>Plan</summary>",
    "",
    fenced(workflow.plan ?? "(the plan is on Amelia's page)"),
    "",
    "</details>",
    "",
    DECIDE,
  ];
}

function reviewGate(workflow: Workflow): string[] {
  const failing = workflow.checks && !workflow.checks.passed ? workflow.checks : undefined;
  const reason = failing
    ? `the checks still fail after the rounds allowed (${failing.results
        .filter((result) => !checkPassed(result))
        .map((result) => result.name)
        .join(", ")})`
    : `the reviewer still asks for changes after ${workflow.iteration.review} rounds`;
  const comments = workflow.review && !workflow.review.approved ? workflow.review.comments : [];
  return [
    `⚖️ The review gate waits for a decision: ${reason}.`,
    ...(comments.length > 0
      ? [
          "",
          "<details><summary>The last review</summary>",
          "",
          fenced(comments.map((c) => `- ${c}`).join("\n")),
          "",
          "</details>",
        ]
      : []),
    "",
    "Approving accepts the work as it is. " + DECIDE,
  ];
}

function round(n: number | undefined): string {
  return n !== undefined && n > 1 ? ` (round ${n})` : "";
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").slice(0, 2_000);
}

/**
 * Agent output, shown as text: in a code fence longer than any run of backticks in it, so it
 * can neither mention people nor bring HTML or commands into the comment.
 */
function fenced(text: string): string {
  const clipped =
    text.length <= MAX_QUOTED_CHARACTERS ? text : `${text.slice(0, MAX_QUOTED_CHARACTERS)}\n…`;
  const longest = Math.max(2, ...[...clipped.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${clipped}\n${fence}`;
}
