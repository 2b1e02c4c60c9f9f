import type { DevelopRequest, IssueSummary, PlanRequest, ReviewRequest } from "../AgentDriver";

const MAX_CONTEXT_FILES = 1_500;
const MAX_DIFF_CHARS = 150_000;

/**
 * The repository part of the system prompt: stable for a whole stage, so it sits before the
 * conversation and behind a cache breakpoint.
 */
export function repositoryContext(files: readonly string[], branch?: string): string {
  const shown = files.slice(0, MAX_CONTEXT_FILES);
  return [
    "# Repository",
    ...(branch ? [`Branch: ${branch}`] : []),
    `Files (${files.length}):`,
    ...shown,
    ...(files.length > shown.length
      ? [`…and ${files.length - shown.length} more (use list_files with a directory)`]
      : []),
  ].join("\n");
}

function issueText(issue: IssueSummary): string {
  return [
    `# Issue ${issue.issueId}${issue.title ? `: ${issue.title}` : ""}`,
    "",
    issue.description?.trim() || "(The issue has no description: work from its title.)",
  ].join("\n");
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
  parts.push(
    request.round === 1
      ? "Implement the plan, then call finish."
      : `This is revision round ${request.round}: the earlier work is already on the branch. ` +
          "Address every point above, then call finish.",
  );
  return parts.join("\n\n");
}

export function reviewTask(request: ReviewRequest): string {
  const diff =
    request.diff.length <= MAX_DIFF_CHARS
      ? request.diff
      : `${request.diff.slice(0, MAX_DIFF_CHARS)}\n[diff cut off: read the changed files for the rest]`;
  return [
    issueText(request.issue),
    "# The approved plan",
    request.plan,
    `# The change to review (round ${request.round}): the branch against its base commit`,
    request.diff.trim() === ""
      ? "(The diff is empty: nothing was changed.)"
      : "```diff\n" + diff + "\n```",
    "Review the change, then call submit_review.",
  ].join("\n\n");
}
