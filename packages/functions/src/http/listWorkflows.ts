import { stores } from "@amelia/core/storeServices";
import { parseInput } from "@amelia/core/validation";
import { listWorkflowsSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute } from "../middleware/httpApi";

export const handler = httpRoute(async ({ query }) => {
  const options = parseInput(listWorkflowsSchema, query, "query");
  return { status: 200, body: await stores().workflows.list(options) };
});
