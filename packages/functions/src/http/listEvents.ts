import { stores } from "@amelia/core/storeServices";
import { parseInput } from "@amelia/core/validation";
import { listEventsSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => {
  const { since, limit } = parseInput(listEventsSchema, request.query, "query");
  return {
    status: 200,
    body: await stores().workflows.events(workflowId(request), since, limit),
  };
});
