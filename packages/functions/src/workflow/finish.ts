import * as z from "zod";
import { services } from "@amelia/core/services";
import { taskHandler } from "../middleware/taskHandler";

const payloadSchema = z.discriminatedUnion("outcome", [
  z.object({ workflowId: z.string().min(1), outcome: z.literal("completed") }),
  z.object({
    workflowId: z.string().min(1),
    outcome: z.literal("failed"),
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  }),
]);

/** Ends the workflow: completed, or failed with a reason a person can act on. */
export const handler = taskHandler(payloadSchema, async (payload) => {
  const { workflows } = services();
  await (payload.outcome === "completed"
    ? workflows.complete(payload.workflowId)
    : workflows.failStage(payload.workflowId, payload.error));
});
