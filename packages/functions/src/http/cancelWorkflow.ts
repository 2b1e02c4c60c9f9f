import { API_ACTOR } from "@amelia/core/events/types";
import { commands } from "@amelia/core/commandServices";
import { parseInput } from "@amelia/core/validation";
import { cancelSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => {
  const { reason } = parseInput(cancelSchema, request.body, "body");
  return {
    status: 200,
    body: await commands().workflows.cancel(workflowId(request), reason, API_ACTOR),
  };
});
