import type { Context } from "aws-lambda";
import * as z from "zod";
import type { AgentDriver } from "@amelia/core/agents/AgentDriver";
import type { StageContext } from "@amelia/core/agents/stages";
import { errorMessage, InvalidStateError } from "@amelia/core/errors";
import type { Agent } from "@amelia/core/events/types";
import { logger } from "@amelia/core/logger";
import { agentServices, type AgentServices } from "@amelia/core/agentServices";
import { isTerminal, type Stage } from "@amelia/core/workflow/status";
import { taskHandler } from "./taskHandler";

const payloadSchema = z.object({ workflowId: z.string().min(1) });

/** The stages a task works in, and the agent its failures are told by. */
type TaskStage = Extract<Agent, Stage> | "verify";

/** An agent stage: its task, with the model's driver. */
export function agentTask<R>(
  agent: Extract<Agent, Stage>,
  run: (
    context: StageContext,
    driver: AgentDriver,
    services: AgentServices,
    lambda: Context,
  ) => Promise<R>,
) {
  return stageTask(agent, payloadSchema, async (context, _payload, all, lambda) =>
    run(context, await all.driver(), all, lambda),
  );
}

/**
 * A task of a stage. A failed attempt is recorded as a `system_error` before it is rethrown, so
 * the person sees each retry the state machine makes; the final failure is recorded by `finish`.
 */
export function stageTask<S extends z.ZodType<{ workflowId: string }>, R>(
  stage: TaskStage,
  schema: S,
  run: (
    context: StageContext,
    payload: z.infer<S>,
    services: AgentServices,
    lambda: Context,
  ) => Promise<R>,
) {
  const agent: Agent = stage === "verify" ? "system" : stage;
  return taskHandler(schema, async (payload, lambda) => {
    const { workflowId } = payload;
    const all = agentServices();
    const workflow = await all.workflows.get(workflowId);
    if (isTerminal(workflow.status)) {
      throw new Error(`Workflow ${workflowId} is already ${workflow.status}`);
    }
    const context: StageContext = {
      workflow,
      log: await all.workflows.history(workflowId),
      record: async (event) => {
        await all.workflows.record(workflowId, event);
      },
    };
    try {
      return await run(context, payload, all, lambda);
    } catch (error) {
      const message = errorMessage(error);
      logger.warn("Stage attempt failed", { workflowId, stage, error });
      await all.workflows
        .record(workflowId, {
          type: "system_error",
          agent,
          level: "error",
          message: `The ${stage === "verify" ? "checks" : stage} failed: ${message}`,
          // The task's own stage: the workflow read above may still show the previous one
          // (a first attempt fails before or while recording its stage_started).
          data: { error: message, stage },
        })
        .catch((recordError: unknown) =>
          // A workflow cancelled mid-attempt takes no more events; nothing is lost.
          recordError instanceof InvalidStateError
            ? logger.info("Workflow ended during the attempt", { workflowId })
            : logger.error("Recording the failure failed", { recordError }),
        );
      throw error;
    }
  });
}
