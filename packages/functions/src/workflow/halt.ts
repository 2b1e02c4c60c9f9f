import * as z from "zod";
import { WORKFLOW_HALTED_ERROR } from "@amelia/core/definitions/stateMachine";
import { services } from "@amelia/core/services";
import { taskHandler } from "../middleware/taskHandler";

const payloadSchema = z.object({ workflowId: z.string().min(1) });

class WorkflowHaltedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = WORKFLOW_HALTED_ERROR;
  }
}

/**
 * Where a failed workflow's execution stops: it fails here with the workflow's reason. A resume
 * redrives the execution from this state; the workflow is active again by then, so it passes and
 * the state machine returns to the state that failed.
 */
export const handler = taskHandler(payloadSchema, async ({ workflowId }) => {
  const workflow = await services().workflows.get(workflowId);
  if (workflow.status !== "in_progress") {
    throw new WorkflowHaltedError(workflow.failureReason ?? `The workflow is ${workflow.status}`);
  }
});
