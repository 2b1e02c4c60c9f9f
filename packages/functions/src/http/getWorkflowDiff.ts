import { parseInput } from "@amelia/core/validation";
import { diffQuerySchema } from "@amelia/core/workflow/Workflow";
import { diffs } from "@amelia/core/workspaceServices";
import { httpRoute, workflowId } from "../middleware/httpApi";

/** What a developer round changed against the workflow's base commit. */
export const handler = httpRoute(async (request) => {
  const { round } = parseInput(diffQuerySchema, request.query, "query");
  return { status: 200, body: await diffs().diff(workflowId(request), round) };
});
