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
    const workflow = await output.while(`Fetching ${id}`, api.getWorkflow(id));
    if (output.json) output.document(workflow);
    else output.line(workflowDetail(workflow, output.colors));
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
