import { verification } from "@amelia/core/checkServices";
import { prepareChecks } from "@amelia/core/checks/verifyStage";
import type { ChecksRun } from "@amelia/core/definitions/stateMachine";
import * as z from "zod";
import { stageTask } from "../middleware/agentTask";

const payloadSchema = z.object({ workflowId: z.string().min(1) });

/** The verify step's start: the round's checks and its source for the build, or none. */
export const handler = stageTask(
  "verify",
  payloadSchema,
  async (context): Promise<{ run: ChecksRun | null }> => ({
    run: await prepareChecks(context, verification()),
  }),
);
