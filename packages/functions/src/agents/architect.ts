import { runArchitect } from "@amelia/core/agents/stages";
import type { BudgetOutcome } from "@amelia/core/definitions/stateMachine";
import { agentTask } from "../middleware/agentTask";

export const handler = agentTask(
  "architect",
  async (context, driver, { workspaces, conversations }): Promise<BudgetOutcome> => {
    const outcome = await runArchitect(context, driver, workspaces, conversations);
    return { budget: outcome.budget === true };
  },
);
