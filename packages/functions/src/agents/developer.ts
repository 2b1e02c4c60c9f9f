import { runDeveloper } from "@amelia/core/agents/stages";
import { agentTask } from "../middleware/agentTask";

export const handler = agentTask("developer", (context, { driver, workspaces }) =>
  runDeveloper(context, driver, workspaces),
);
