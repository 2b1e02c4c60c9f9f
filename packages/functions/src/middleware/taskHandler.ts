import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context } from "aws-lambda";
import type * as z from "zod";
import { logger } from "@amelia/core/logger";
import { parseInput } from "@amelia/core/validation";

/** A Step Functions task: validates the payload the state machine sends, then runs. */
export function taskHandler<S extends z.ZodType, R>(
  schema: S,
  run: (payload: z.infer<S>, context: Context) => Promise<R>,
) {
  return middy<unknown, R, Error, Context>()
    .use(injectLambdaContext(logger, { logEvent: false }))
    .handler((event, context) => run(parseInput(schema, event, "task payload"), context));
}
