import { verification } from "@amelia/core/checkServices";
import { recordChecks } from "@amelia/core/checks/verifyStage";
import type { ChecksOutcome } from "@amelia/core/definitions/stateMachine";
import * as z from "zod";
import { stageTask } from "../middleware/agentTask";

const payloadSchema = z.object({
  workflowId: z.string().min(1),
  runId: z.string().min(1),
  // The build as RunChecks left it: its id and status, or the error it failed with.
  build: z.object({
    id: z.string().optional(),
    status: z.string().optional(),
    Error: z.string().optional(),
    Cause: z.string().optional(),
  }),
});

/** The verify step's end: the checks' results recorded, and whether the round passed. */
export const handler = stageTask(
  "verify",
  payloadSchema,
  (context, input): Promise<ChecksOutcome> => recordChecks(context, input, verification()),
);
