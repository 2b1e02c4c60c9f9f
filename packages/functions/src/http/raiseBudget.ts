import { API_ACTOR } from "@amelia/core/events/types";
import { commands } from "@amelia/core/commandServices";
import { parseInput } from "@amelia/core/validation";
import { raiseBudgetSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => {
  const { budgetUsd } = parseInput(raiseBudgetSchema, request.body, "body");
  const workflow = await commands().gates.raiseBudget(workflowId(request), budgetUsd, API_ACTOR);
  return { status: 200, body: workflow };
});
