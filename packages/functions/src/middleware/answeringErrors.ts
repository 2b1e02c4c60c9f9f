import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { AmeliaError, errorResponse, type ErrorResponse } from "@amelia/core/errors";
import { logger } from "@amelia/core/logger";

/**
 * Answers an error instead of failing the invocation: a domain error is the caller's answer, and
 * anything else is logged and answered as INTERNAL_ERROR, which says nothing of it. Kept apart
 * from `lambdaHandler` so the handlers that never answer errors do not bundle the mapping.
 */
export function answeringErrors<E, R>(
  answer: (response: ErrorResponse) => R,
): MiddlewareObj<E, R, Error, Context> {
  return {
    onError: (request) => {
      const { error } = request;
      if (!(error instanceof AmeliaError)) logger.error("Unhandled error", { error });
      request.response = answer(errorResponse(error));
    },
  };
}
