import { API_ACTOR } from "@amelia/core/events/types";
import { commands } from "@amelia/core/commandServices";
import { parseInput } from "@amelia/core/validation";
import { emptyBodySchema } from "@amelia/core/workflow/Workflow";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => {
  parseInput(emptyBodySchema, request.body, "body");
  return { status: 200, body: await commands().gates.approve(workflowId(request), API_ACTOR) };
});
