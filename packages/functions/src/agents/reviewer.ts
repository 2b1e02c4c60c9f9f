import { verification } from "@amelia/core/checkServices";
import { sandboxRunsFor } from "@amelia/core/checks/SandboxRuns";
import { runReviewer } from "@amelia/core/agents/stages";
import { agentTask } from "../middleware/agentTask";

export const handler = agentTask(
  "reviewer",
  async (context, driver, { workspaces, config, conversations }) => {
    const { approved, atCap, budget } = await runReviewer(
      context,
      driver,
      workspaces,
      config.maxReviewRounds,
      sandboxRunsFor(context, "reviewer", verification()),
      conversations,
    );
    return { approved, atCap, budget: budget === true };
  },
);
