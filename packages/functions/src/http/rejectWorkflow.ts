import { API_ACTOR } from "@amelia/core/events/types";
import { commands } from "@amelia/core/commandServices";
import { parseInput } from "@amelia/core/validation";
import { rejectSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => {
  const { feedback } = parseInput(rejectSchema, request.body, "body");
  return {
    status: 200,
    body: await commands().gates.reject(workflowId(request), feedback, API_ACTOR),
  };
});
