import middy, { type MiddlewareObj } from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context } from "aws-lambda";
import { logger } from "@amelia/core/logger";

/**
 * The base of every handler: the logger carries the invocation's context, and errors are dealt
 * with in one place. With `onError` (the API routes: `answeringErrors`), an error becomes the
 * caller's answer. Without it (tasks, the broadcaster) an error fails the invocation as it is:
 * Lambda logs it, and Step Functions records it and retries or catches it by name.
 */
export function lambdaHandler<E, R>(
  handle: (event: E, context: Context) => Promise<R>,
  onError?: MiddlewareObj<E, R, Error, Context>,
) {
  const base = middy<E, R, Error, Context>().use(injectLambdaContext(logger, { logEvent: false }));
  if (onError) base.use(onError);
  return base.handler((event, context) => handle(event, context));
}
