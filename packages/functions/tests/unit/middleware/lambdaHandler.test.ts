import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidStateError, type ErrorResponse } from "@amelia/core/errors";
import { logger } from "@amelia/core/logger";
import { answeringErrors } from "../../../src/middleware/answeringErrors";
import { lambdaHandler } from "../../../src/middleware/lambdaHandler";
import { lambdaContext } from "./lambdaContext";

afterEach(() => {
  vi.restoreAllMocks();
});

const answer = (response: ErrorResponse) => ({ answered: response });

describe("lambdaHandler", () => {
  it("gives the logger the invocation's context before the handler runs", async () => {
    const addContext = vi.spyOn(logger, "addContext");
    const context = lambdaContext("amelia-context");
    const handler = lambdaHandler(async (event: { n: number }) => {
      expect(addContext).toHaveBeenCalledWith(context);
      return event.n + 1;
    });
    expect(await handler({ n: 1 }, context)).toBe(2);
    expect(addContext).toHaveBeenCalledTimes(1);
  });

  it("answers a domain error as the caller's mistake, without logging it", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const handler = lambdaHandler(async () => {
      throw new InvalidStateError("Workflow wf-1 is not at a gate", { status: "completed" });
    }, answeringErrors(answer));
    expect(await handler({}, lambdaContext())).toEqual({
      answered: {
        statusCode: 422,
        body: {
          code: "INVALID_STATE",
          error: "Workflow wf-1 is not at a gate",
          details: { status: "completed" },
        },
      },
    });
    expect(logged).not.toHaveBeenCalled();
  });

  it("logs any other error and answers INTERNAL_ERROR, revealing nothing of it", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const failure = new TypeError("Cannot read properties of undefined (reading 'token')");
    const handler = lambdaHandler(async () => {
      throw failure;
    }, answeringErrors(answer));
    expect(await handler({}, lambdaContext())).toEqual({
      answered: {
        statusCode: 500,
        body: { code: "INTERNAL_ERROR", error: "Internal server error" },
      },
    });
    expect(logged).toHaveBeenCalledWith("Unhandled error", { error: failure });
  });

  it("without an answer, fails the invocation with the error itself, for Lambda to log", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const failure = new InvalidStateError("A blocked workflow cannot become blocked");
    const handler = lambdaHandler(async () => {
      throw failure;
    });
    await expect(handler({}, lambdaContext())).rejects.toBe(failure);
    expect(logged).not.toHaveBeenCalled();
  });
});
