import type { ChecksSummary } from "../../events/types";
import type {
  DevelopRequest,
  IssueSummary,
  PlanRequest,
  RepositoryInstructions,
  ReviewRequest,
} from "../AgentDriver";
import { instructionsLine } from "../repositoryInstructions";
import { quoteUntrusted } from "./untrustedData";

const MAX_CONTEXT_FILES = 1_500;
const MAX_DIFF_CHARS = 150_000;

/**
 * The repository part of the system prompt: stable for a whole stage, so it sits before the
 * conversation and behind a cache breakpoint. File names and the repository's instructions are
 * the repository's: quoted as data.
 */
export function repositoryContext(
  files: readonly string[],
  { branch, instructions }: { branch?: string; instructions?: RepositoryInstructions } = {},
): string {
  const shown = files.slice(0, MAX_CONTEXT_FILES);
  return [
    "# Repository",
    ...(branch ? [`Branch: ${branch}`] : []),
    `Files (${files.length}):`,
    quoteUntrusted("file list", shown.join("\n")),
    ...(files.length > shown.length
      ? [`…and ${files.length - shown.length} more (use list_files with a directory)`]
      : []),
    ...(instructions ? ["", instructionsText(instructions)] : []),
  ].join("\n");
}

/** The repository's instructions file, quoted, with a note outside the quote when it was cut. */
function instructionsText(instructions: RepositoryInstructions): string {
  const { path, text, truncated, bytes } = instructions;
  return [
    "# Repository instructions",
    `From ${path}: the repository's conventions for coding agents (see "Repository instructions" above).`,
    quoteUntrusted("repository instructions", text),
    ...(truncated
      ? [
          `[${path} was cut off after ${Buffer.byteLength(text)} of its ${bytes} bytes: ` +
            "read the rest with read_file if you need it]",
        ]
      : []),
  ].join("\n");
}

/** The issue as whoever filed it wrote it: its title and description, quoted as data. */
function issueText(issue: IssueSummary): string {
  const text = [
    ...(issue.title ? [`Title: ${issue.title}`, ""] : []),
    issue.description?.trim() || "(The issue has no description: work from its title.)",
  ].join("\n");
  return [`# Issue ${issue.issueId}`, quoteUntrusted("issue", text)].join("\n\n");
}

export function planTask(request: PlanRequest): string {
  const parts = [issueText(request.issue)];
  if (request.previousPlan !== undefined) {
    parts.push(`# Your previous plan (round ${request.round - 1})`, request.previousPlan);
  }
  if (request.feedback !== undefined) {
    parts.push("# The person rejected it with this feedback", request.feedback);
  }
  parts.push(
    request.checks
      ? `# The checks that will verify the work (${request.checks.source === "file" ? "from .amelia/checks.yml" : "detected in the repository"})\n` +
          `${request.checks.names.map((name) => `- ${name}`).join("\n")}\nList them in the plan, under "Checks".`
      : "# Checks\nThe repository has no checks: say in the plan how the change can be verified.",
    ...(request.instructions
      ? [
          `# Repository instructions\nThe repository keeps instructions in ${request.instructions.path}: ` +
            `plan to its conventions, and end the plan with the line "${instructionsLine(request.instructions.path)}".`,
        ]
      : []),
    `Write the plan for round ${request.round}: explore the repository as needed, then call submit_plan.`,
  );
  return parts.join("\n\n");
}

export function developTask(request: DevelopRequest): string {
  const parts = [issueText(request.issue), "# The approved plan", request.plan];
  if (request.reviewComments.length > 0) {
    parts.push(
      "# The reviewer asked for these changes",
      request.reviewComments.map((comment) => `- ${comment}`).join("\n"),
    );
  }
  if (request.feedback !== undefined) {
    parts.push("# The person's feedback at the review gate", request.feedback);
  }
  if (request.failedChecks && request.failedChecks.length > 0) {
    parts.push(
      "# The repository's checks failed on your last round: make them pass",
      ...request.failedChecks.map(
        (check) =>
          `## ${check.name}: \`${check.command}\` ${check.timedOut ? "timed out" : `exited ${check.exitCode}`}\n` +
          quoteUntrusted("check output", check.output),
      ),
    );
  }
  parts.push(
    request.round === 1
      ? "Implement the plan, then call finish."
      : `This is revision round ${request.round}: the earlier work is already on the branch. ` +
          "Address every point above, then call finish.",
  );
  return parts.join("\n\n");
}

export function reviewTask(request: ReviewRequest): string {
  const cut = request.diff.length > MAX_DIFF_CHARS;
  return [
    issueText(request.issue),
    "# The approved plan",
    request.plan,
    `# The change to review (round ${request.round}): the branch against its base commit`,
    request.diff.trim() === ""
      ? "(The diff is empty: nothing was changed.)"
      : quoteUntrusted("diff", cut ? request.diff.slice(0, MAX_DIFF_CHARS) : request.diff) +
        (cut ? "\n[diff cut off: read the changed files for the rest]" : ""),
    checksText(request.checks),
    "Review the change, then call submit_review.",
  ].join("\n\n");
}

/** The checks of the change, as the reviewer reads them beside the diff. */
function checksText(checks: ChecksSummary | undefined): string {
  if (!checks)
    return "# Checks\nThe repository has no checks: nothing verified this change by running it.";
  const lines = checks.results.map(
    (r) =>
      `- ${r.name}: ${r.timedOut ? "timed out" : r.exitCode === 0 ? "passed" : `failed (exit ${r.exitCode})`} in ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  return [
    `# Checks of this round: ${checks.passed ? "all passed" : "FAILING — do not approve while a check fails"}`,
    ...lines,
  ].join("\n");
}
