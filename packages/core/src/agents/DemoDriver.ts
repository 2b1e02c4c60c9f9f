import type { Review } from "../events/types";
import type { Workspace } from "../workspace/Workspace";
import type {
  AgentContext,
  AgentDriver,
  DevelopRequest,
  DevelopResult,
  IssueSummary,
  PlanRequest,
  ReviewRequest,
} from "./AgentDriver";
import { addedLines } from "./diff";
import { instructionsLine } from "./repositoryInstructions";

export const DEMO_MODEL = "amelia-demo";
const LABEL = "Demo model (offline)";
const MAX_STEPS = 8;
const MAX_STEP_LENGTH = 200;
const MAX_RELATED_FILES = 5;
const MAX_REVIEW_COMMENTS = 20;

/** Where the demo developer writes its work: `docs/amelia/<slug of the issue id>.md`. */
export function demoDocumentPath(issueId: string): string {
  const slug = issueId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `docs/amelia/${slug || "issue"}.md`;
}

/**
 * The offline demo model: deterministic stand-ins for the three agents, so the whole product
 * runs without an API key. Everything it writes or says is labelled as a demo. Its developer
 * leaves `TODO:` lines in round 1 and resolves them in round 2, and its reviewer flags added
 * `TODO` lines, so a demo workflow always takes exactly two review rounds.
 */
export class DemoDriver implements AgentDriver {
  readonly model = DEMO_MODEL;
  readonly demo = true;

  async plan(
    request: PlanRequest,
    _workspace: Workspace,
    ctx: AgentContext,
  ): Promise<{ plan: string }> {
    const { issue, round, feedback } = request;
    const baseSteps = request.previousPlan
      ? stepsOfPlan(request.previousPlan)
      : stepsOfIssue(issue);
    const revisionSteps = feedback ? stepsOfText(feedback).map((step) => `Revision: ${step}`) : [];
    const steps = [...baseSteps, ...revisionSteps];
    await ctx.say(
      `${LABEL} — planning ${issue.issueId}, round ${round}: ${steps.length} steps` +
        (feedback ? `, ${revisionSteps.length} of them from the feedback` : ""),
    );
    return { plan: renderPlan(request, steps, baseSteps.length) };
  }

  /** Always done in one invocation: the demo has no conversation to continue. */
  async develop(
    request: DevelopRequest,
    workspace: Workspace,
    ctx: AgentContext,
  ): Promise<DevelopResult> {
    const path = demoDocumentPath(request.issue.issueId);
    const steps = stepsOfPlan(request.plan);
    const draft = request.round === 1;
    await ctx.say(
      `${LABEL} — implementing ${steps.length} plan steps in ${path}, round ${request.round}` +
        (draft ? " (verification left as TODO lines)" : ""),
    );
    const change = await workspace.writeFile(path, renderDocument(request, steps, draft));
    const summary = draft
      ? `${LABEL}: ${change} ${path} with a checklist of ${steps.length} steps; verification is still open.`
      : `${LABEL}: ${change} ${path}; verified all ${steps.length} steps` +
        (request.reviewComments.length > 0
          ? ` and resolved ${plural(request.reviewComments.length, "review comment")}.`
          : ".");
    await ctx.say(summary);
    return { done: true, summary };
  }

  async review(
    request: ReviewRequest,
    _workspace: Workspace,
    ctx: AgentContext,
  ): Promise<{ review: Review }> {
    if (request.diff.trim() === "") {
      await ctx.say(`${LABEL} — the diff is empty: there is nothing to review`);
      return {
        review: {
          approved: false,
          severity: "critical",
          comments: ["The branch has no changes against its base commit: nothing was implemented."],
        },
      };
    }
    const added = addedLines(request.diff);
    const todos = added.filter((line) => line.text.includes("TODO"));
    const files = new Set(added.map((line) => line.path)).size;
    await ctx.say(
      `${LABEL} — reviewed ${plural(added.length, "added line")} in ${plural(files, "file")}: ` +
        (todos.length === 0 ? "no TODO left" : `${plural(todos.length, "TODO line")} to resolve`),
    );
    if (todos.length === 0) return { review: { approved: true, severity: "none", comments: [] } };
    const comments = todos
      .slice(0, MAX_REVIEW_COMMENTS)
      .map(({ path, line, text }) => `${path}:${line} — resolve this TODO: ${text.trim()}`);
    if (todos.length > MAX_REVIEW_COMMENTS) {
      comments.push(`…and ${todos.length - MAX_REVIEW_COMMENTS} more TODO lines.`);
    }
    return { review: { approved: false, severity: "minor", comments } };
  }
}

function renderPlan(request: PlanRequest, steps: string[], baseCount: number): string {
  const { issue, round, feedback, files } = request;
  const path = demoDocumentPath(issue.issueId);
  const related = relatedFiles(issue, files);
  const lines = [
    `# Plan: ${issue.title ?? issue.issueId}`,
    "",
    `_${LABEL} — written by Amelia's built-in demo architect, not by an LLM. ` +
      "Set ANTHROPIC_API_KEY to plan with Claude._",
    "",
    "## Summary",
    "",
    `Issue \`${issue.issueId}\`${issue.title ? `: ${issue.title}` : ""}. ` +
      (firstSentence(issue.description) ??
        "The issue has no description, so this plan follows its title."),
    `This plan has ${steps.length} steps and records the work in \`${path}\`.`,
    "",
    "## Steps",
    "",
    ...steps.map((step, index) => `${index + 1}. ${step}`),
    "",
    "## Files",
    "",
    `- \`${path}\` — created or updated: implementation notes and a checklist of the steps`,
    "",
    "## Context",
    "",
    `- The workspace holds ${files.length} files.`,
    related.length > 0
      ? `- Related to the issue: ${related.map((file) => `\`${file}\``).join(", ")}`
      : "- No file name matches the issue's keywords.",
    ...(request.instructions
      ? [`- ${instructionsLine(`\`${request.instructions.path}\``)} (given to every agent)`]
      : []),
    "",
    "## Acceptance criteria",
    "",
    `- Every step is ticked off in \`${path}\`.`,
    "- Every step is verified, and no TODO marker is left in the change.",
    "- The reviewer approves the diff.",
  ];
  if (feedback) {
    lines.push(
      "",
      `## Revision (round ${round})`,
      "",
      `The plan of round ${round - 1} was rejected with this feedback:`,
      "",
      ...feedback
        .trim()
        .split(/\r?\n/)
        .map((line) => `> ${line}`.trimEnd()),
      "",
      steps.length > baseCount
        ? `Changes: steps ${baseCount + 1}–${steps.length} are new and address the feedback.`
        : "Changes: none needed beyond the steps above.",
    );
  }
  return `${lines.join("\n")}\n`;
}

function renderDocument(request: DevelopRequest, steps: string[], draft: boolean): string {
  const { issue, round, reviewComments, feedback } = request;
  const lines = [
    `# ${issue.title ?? issue.issueId}`,
    "",
    `_${LABEL} — written by Amelia's built-in demo developer, not by an LLM._`,
    "",
    `Issue \`${issue.issueId}\`, implementation round ${round}.`,
    "",
    "## Checklist",
    "",
    ...steps.map((step, index) => `- [x] ${index + 1}. ${quoteSafely(step)}`),
    "",
    "## Verification",
    "",
    ...steps.map((step, index) =>
      draft
        ? `- TODO: verify step ${index + 1} (${quoteSafely(step)})`
        : `- Verified step ${index + 1} (${quoteSafely(step)}) against the plan.`,
    ),
  ];
  if (reviewComments.length > 0) {
    lines.push(
      "",
      "## Review responses",
      "",
      ...reviewComments.map((comment, index) => `- Resolved ${index + 1}: ${quoteSafely(comment)}`),
    );
  }
  if (feedback) {
    lines.push(
      "",
      "## Feedback from the review gate",
      "",
      ...feedback
        .trim()
        .split(/\r?\n/)
        .map((line) => `> ${quoteSafely(line)}`.trimEnd()),
      "",
      `Addressed in round ${round}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Quoted text must not carry a TODO marker, or the demo reviewer would flag it forever. */
function quoteSafely(text: string): string {
  return text.replace(/TODO/gi, "to-do");
}

function stepsOfIssue(issue: IssueSummary): string[] {
  const steps = issue.description ? stepsOfText(issue.description) : [];
  if (steps.length > 0) return steps;
  const subject = issue.title ? `"${issue.title}"` : `issue ${issue.issueId}`;
  return [
    `Work out what ${subject} asks for and where it belongs in the repository`,
    `Make the change for ${subject}`,
    "Document the change for the reviewer",
  ];
}

/** The numbered lines of a plan's `## Steps` section. */
function stepsOfPlan(plan: string): string[] {
  const section = /^## Steps\s*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(plan)?.[1] ?? "";
  const steps = [...section.matchAll(/^\d+\.\s+(.+)$/gm)].map((match) => (match[1] ?? "").trim());
  return steps.length > 0 ? steps : ["Implement the plan as written"];
}

/** Steps from free text: its bullet or numbered lines if it has any, else its sentences. */
function stepsOfText(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#") && !line.startsWith("```"));
  const bullets = lines
    .map((line) => /^(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.+)$/.exec(line)?.[1])
    .filter((bullet): bullet is string => bullet !== undefined);
  const raw = bullets.length > 0 ? bullets : lines.join(" ").split(/(?<=[.!?])\s+/);
  const steps = raw.map(tidyStep).filter((step) => step !== "");
  return [...new Set(steps)].slice(0, MAX_STEPS);
}

function tidyStep(text: string): string {
  let step = text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.!?;:,]+$/, "");
  if (step.length > MAX_STEP_LENGTH) step = `${step.slice(0, MAX_STEP_LENGTH - 1).trimEnd()}…`;
  return step.charAt(0).toUpperCase() + step.slice(1);
}

function firstSentence(text: string | undefined): string | undefined {
  const sentence = text ? stepsOfText(text)[0] : undefined;
  return sentence ? `${sentence}.` : undefined;
}

const STOP_WORDS = new Set(["about", "after", "from", "have", "into", "should", "that", "this"]);

/** Files whose path mentions a word of the issue's title or description, for context. */
function relatedFiles(issue: IssueSummary, files: string[]): string[] {
  const words = new Set(
    `${issue.title ?? ""} ${issue.description ?? ""}`
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((word) => word.length >= 4 && !STOP_WORDS.has(word)),
  );
  if (words.size === 0) return [];
  return [...files]
    .sort()
    .filter((file) => [...words].some((word) => file.toLowerCase().includes(word)))
    .slice(0, MAX_RELATED_FILES);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
