import type { Workflow } from "@amelia/client";
import { budgetArgument } from "../budgetArgument";
import type { CommandContext } from "../CommandContext";
import { UsageError } from "../errors";
import { budgetDollars, nextSteps, statusLabel } from "../format";

/**
 * Prints the workflow a decision returned: all of it with --json, otherwise one line, what was
 * `done` to it, then where it stands.
 */
function report(context: CommandContext, done: string, workflow: Workflow): void {
  const { output } = context;
  if (output.json) return output.document(workflow);
  output.line(`${done}: ${statusLabel(workflow, output.colors)}, stage ${workflow.stage}`);
  const next = nextSteps(workflow);
  if (next) output.note(next);
}

export async function approve(context: CommandContext, id: string): Promise<void> {
  const workflow = await context.output.while(`Approving ${id}`, context.api.approve(id));
  report(context, `Approved ${workflow.id}`, workflow);
}

export async function reject(context: CommandContext, id: string, feedback: string): Promise<void> {
  if (!feedback.trim()) {
    throw new UsageError(
      "The feedback is empty",
      "Say what should change: amelia reject <id> <feedback>",
    );
  }
  const workflow = await context.output.while(`Rejecting ${id}`, context.api.reject(id, feedback));
  report(context, `Rejected ${workflow.id}`, workflow);
}

export async function cancel(
  context: CommandContext,
  id: string,
  options: { reason?: string },
): Promise<void> {
  const workflow = await context.output.while(
    `Cancelling ${id}`,
    context.api.cancel(id, options.reason),
  );
  report(context, `Cancelled ${workflow.id}`, workflow);
}

export async function resume(context: CommandContext, id: string): Promise<void> {
  const workflow = await context.output.while(`Resuming ${id}`, context.api.resume(id));
  report(context, `Resumed ${workflow.id}`, workflow);
}

/** Raises what a workflow may spend; at the budget gate its stage then continues. */
export async function raiseBudget(context: CommandContext, id: string, usd: string): Promise<void> {
  const budgetUsd = budgetArgument(usd, "Give US dollars: amelia budget <id> 10, or 2.50");
  const workflow = await context.output.while(
    `Raising the budget of ${id}`,
    context.api.raiseBudget(id, budgetUsd),
  );
  report(context, `Raised the budget of ${workflow.id} to ${budgetDollars(budgetUsd)}`, workflow);
}
