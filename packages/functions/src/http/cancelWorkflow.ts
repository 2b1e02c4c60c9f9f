import { API_ACTOR } from "@amelia/core/events/types";
import { services } from "@amelia/core/services";
import { parseInput } from "@amelia/core/validation";
import { cancelSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => {
  const { reason } = parseInput(cancelSchema, request.body, "body");
  return {
    status: 200,
    body: await services().workflows.cancel(workflowId(request), reason, API_ACTOR),
  };
});
