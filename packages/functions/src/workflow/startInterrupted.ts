import * as z from "zod";
import { services } from "@amelia/core/services";
import { taskHandler } from "../middleware/taskHandler";

const payloadSchema = z.object({ before: z.iso.datetime() });

/** Starts the workflows whose create was cut off before `before`; answers their ids. */
export const handler = taskHandler(payloadSchema, async ({ before }) => ({
  started: await services().workflows.startInterrupted(before),
}));
