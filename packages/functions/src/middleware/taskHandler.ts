import type { Context } from "aws-lambda";
import type * as z from "zod";
import { parseInput } from "@amelia/core/validation";
import { lambdaHandler } from "./lambdaHandler";

/** A Step Functions task: validates the payload the state machine sends, then runs. */
export function taskHandler<S extends z.ZodType, R>(
  schema: S,
  run: (payload: z.infer<S>, context: Context) => Promise<R>,
) {
  return lambdaHandler<unknown, R>((event, context) =>
    run(parseInput(schema, event, "task payload"), context),
  );
}
