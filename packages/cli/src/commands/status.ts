import { ApiError, type WorkflowDiff } from "@amelia/client";
import type { CommandContext } from "../CommandContext";
import { UsageError } from "../errors";
import { workflowDetail, workflowTable } from "../format";

/** One workflow's detail, or a table of the active workflows (every workflow with --all). */
export async function status(
  context: CommandContext,
  id: string | undefined,
  options: { all?: boolean },
): Promise<void> {
  const { output, api } = context;
  if (id !== undefined) {
    if (options.all) throw new UsageError("--all lists workflows: give an id or --all, not both");
    if (output.json) return output.document(await api.getWorkflow(id));
    const [workflow, changes] = await output.while(
      `Fetching ${id}`,
      Promise.all([api.getWorkflow(id), latestChanges(context, id)]),
    );
    output.line(workflowDetail(workflow, output.colors, Date.now(), changes));
    return;
  }
  const workflows = await output.while(
    "Fetching workflows",
    options.all ? api.allWorkflows() : api.activeWorkflows().then((page) => page.workflows),
  );
  if (output.json) output.document({ workflows });
  else if (workflows.length === 0) {
    output.line(options.all ? "No workflows yet." : "No active workflows.");
    output.note("Start one: amelia start <issueId>");
  } else output.line(workflowTable(workflows, output.colors));
}

/**
 * The latest round's diff, for its totals; undefined before the developer has committed (422)
 * and whenever the diff cannot be had: the workflow's status never fails because of it.
 */
function latestChanges(context: CommandContext, id: string): Promise<WorkflowDiff | undefined> {
  return context.api.diff(id).catch((error: unknown) => {
    if (error instanceof ApiError) return undefined;
    throw error;
  });
}
