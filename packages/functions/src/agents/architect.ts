import { runArchitect } from "@amelia/core/agents/stages";
import { agentTask } from "../middleware/agentTask";

export const handler = agentTask("architect", (context, driver, { workspaces }) =>
  runArchitect(context, driver, workspaces),
);
