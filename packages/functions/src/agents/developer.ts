import { verification } from "@amelia/core/checkServices";
import { sandboxRunsFor } from "@amelia/core/checks/SandboxRuns";
import { runDeveloper } from "@amelia/core/agents/stages";
import type { DeveloperProgress } from "@amelia/core/definitions/stateMachine";
import { agentTask } from "../middleware/agentTask";

/** Time kept back from the Lambda's limit: a model call that starts before it still ends in time. */
const SAFETY_MARGIN_MS = 5 * 60 * 1000;

/** One invocation of the developer; the state machine invokes it again while `done` is false. */
export const handler = agentTask(
  "developer",
  async (context, driver, { workspaces, conversations, agentSettings }, lambda) => {
    const { done, budget } = await runDeveloper(
      context,
      driver,
      workspaces,
      conversations,
      {
        turnBudget: agentSettings.developerTurnsPerInvocation,
        deadline: Date.now() + lambda.getRemainingTimeInMillis() - SAFETY_MARGIN_MS,
      },
      sandboxRunsFor(context, "developer", verification()),
    );
    return { done, budget: budget === true } satisfies DeveloperProgress;
  },
);
