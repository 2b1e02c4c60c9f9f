import { runReviewer } from "@amelia/core/agents/stages";
import { agentTask } from "../middleware/agentTask";

export const handler = agentTask("reviewer", (context, driver, { workspaces, config }) =>
  runReviewer(context, driver, workspaces, config.maxReviewRounds),
);
