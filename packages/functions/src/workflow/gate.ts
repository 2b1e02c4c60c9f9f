import * as z from "zod";
import { commands } from "@amelia/core/commandServices";
import { GATES } from "@amelia/core/workflow/status";
import { taskHandler } from "../middleware/taskHandler";

const payloadSchema = z.object({
  workflowId: z.string().min(1),
  gate: z.enum(GATES),
  taskToken: z.string().min(1),
});

/** Opens a gate: the token stays in the table; the person sees `approval_required`. */
export const handler = taskHandler(payloadSchema, async ({ workflowId, gate, taskToken }) => {
  await commands().gates.open(workflowId, gate, taskToken);
});
