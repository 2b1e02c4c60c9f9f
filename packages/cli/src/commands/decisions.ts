import type { Workflow } from "@amelia/client";
import type { CommandContext } from "../CommandContext";
import { UsageError } from "../errors";
import { nextSteps, statusLabel } from "../format";

/** Prints the workflow a decision returned: all of it with --json, one line otherwise. */
function report(context: CommandContext, done: string, workflow: Workflow): void {
  const { output } = context;
  if (output.json) return output.document(workflow);
  output.line(
    `${done} ${workflow.id}: ${statusLabel(workflow, output.colors)}, stage ${workflow.stage}`,
  );
  const next = nextSteps(workflow);
  if (next) output.note(next);
}

export async function approve(context: CommandContext, id: string): Promise<void> {
  report(
    context,
    "Approved",
    await context.output.while(`Approving ${id}`, context.api.approve(id)),
  );
}

export async function reject(context: CommandContext, id: string, feedback: string): Promise<void> {
  if (!feedback.trim()) {
    throw new UsageError(
      "The feedback is empty",
      "Say what should change: amelia reject <id> <feedback>",
    );
  }
  const workflow = await context.output.while(`Rejecting ${id}`, context.api.reject(id, feedback));
  report(context, "Rejected", workflow);
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
  report(context, "Cancelled", workflow);
}

export async function resume(context: CommandContext, id: string): Promise<void> {
  report(context, "Resumed", await context.output.while(`Resuming ${id}`, context.api.resume(id)));
}
