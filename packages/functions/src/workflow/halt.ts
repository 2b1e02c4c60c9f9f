import * as z from "zod";
import { commands } from "@amelia/core/commandServices";
import { taskHandler } from "../middleware/taskHandler";

const payloadSchema = z.object({ workflowId: z.string().min(1) });

/**
 * Where a failed workflow's execution stops: it fails here with the workflow's reason. A resume
 * redrives the execution from this state; the workflow is active again by then, so it passes and
 * the state machine returns to the state that failed.
 */
export const handler = taskHandler(payloadSchema, ({ workflowId }) =>
  commands().workflows.halt(workflowId),
);
