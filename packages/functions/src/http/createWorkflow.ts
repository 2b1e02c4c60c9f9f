import { services } from "@amelia/core/services";
import { parseInput } from "@amelia/core/validation";
import { createWorkflowSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute } from "../middleware/httpApi";

export const handler = httpRoute(async ({ body }) => {
  const input = parseInput(createWorkflowSchema, body, "workflow");
  return { status: 201, body: await services().workflows.create(input) };
});
