import { commands } from "@amelia/core/commandServices";
import { parseInput } from "@amelia/core/validation";
import { emptyBodySchema } from "@amelia/core/workflow/Workflow";
import { httpRoute, workflowId } from "../middleware/httpApi";

/** Continues a failed workflow from the stage that failed. */
export const handler = httpRoute(async (request) => {
  parseInput(emptyBodySchema, request.body, "body");
  return { status: 200, body: await commands().workflows.resume(workflowId(request)) };
});
