import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context } from "aws-lambda";
import { AmeliaError, errorResponse, type ErrorResponse } from "@amelia/core/errors";
import { logger } from "@amelia/core/logger";

/**
 * The base of every handler: the logger carries the invocation's context, and errors are dealt
 * with in one place. With `answer` (the API routes), a domain error is the caller's answer and
 * anything else is logged and answered as INTERNAL_ERROR, which says nothing of it. Without it
 * (tasks, the broadcaster) an error fails the invocation as it is: Lambda logs it, and Step
 * Functions records it and retries or catches it by name.
 */
export function lambdaHandler<E, R>(
  handle: (event: E, context: Context) => Promise<R>,
  answer?: (response: ErrorResponse) => R,
) {
  const base = middy<E, R, Error, Context>().use(injectLambdaContext(logger, { logEvent: false }));
  if (answer) {
    base.use({
      onError: (request) => {
        const { error } = request;
        if (!(error instanceof AmeliaError)) logger.error("Unhandled error", { error });
        request.response = answer(errorResponse(error));
      },
    });
  }
  return base.handler((event, context) => handle(event, context));
}
