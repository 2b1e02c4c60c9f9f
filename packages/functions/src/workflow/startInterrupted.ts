import * as z from "zod";
import { commands } from "@amelia/core/commandServices";
import { taskHandler } from "../middleware/taskHandler";

const payloadSchema = z.object({ before: z.iso.datetime() });

/** Starts the workflows whose create was cut off before `before`; answers their ids. */
export const handler = taskHandler(payloadSchema, async ({ before }) => ({
  started: await commands().workflows.startInterrupted(before),
}));
