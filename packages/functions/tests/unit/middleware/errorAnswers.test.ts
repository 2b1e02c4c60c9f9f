import { afterEach, describe, expect, it, vi } from "vitest";
import { NotFoundError, ValidationError, WorkflowConflictError } from "@amelia/core/errors";
import { logger } from "@amelia/core/logger";
import { httpRoute } from "../../../src/middleware/httpApi";
import { wsRoute } from "../../../src/middleware/wsRoute";
import { httpEvent, wsEvent } from "./events";
import { lambdaContext } from "./lambdaContext";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The body the HTTP route answers and the `{type:"error"}` the WebSocket route replies for one error. */
async function answersTo(error: unknown) {
  const fail = async (): Promise<never> => {
    throw error;
  };
  const http = await httpRoute(fail)(httpEvent("GET"), lambdaContext());
  const ws = await wsRoute(fail)(wsEvent('{"action":"subscribe"}'), lambdaContext());
  if (typeof ws !== "object") throw new Error("The WebSocket route replied without a body");
  return {
    status: http.statusCode,
    http: JSON.parse(http.body ?? "") as unknown,
    wsStatus: ws.statusCode,
    ws: JSON.parse(ws.body ?? "") as unknown,
  };
}

describe("the HTTP and WebSocket wrappers answer an error alike", () => {
  it.each([
    [
      new ValidationError("Invalid workflowId", [{ field: "workflowId", message: "is required" }]),
      400,
      {
        code: "VALIDATION_ERROR",
        error: "Invalid workflowId",
        details: [{ field: "workflowId", message: "is required" }],
      },
    ],
    [
      new NotFoundError("Workflow", "wf-9"),
      404,
      { code: "NOT_FOUND", error: "Workflow wf-9 not found" },
    ],
    [
      new WorkflowConflictError("ISSUE-1", undefined, "wf-1"),
      409,
      {
        code: "WORKFLOW_CONFLICT",
        error: "Workflow wf-1 is already active for issue ISSUE-1 in the default repository",
        details: { activeWorkflowId: "wf-1" },
      },
    ],
  ])("%s", async (error, status, body) => {
    const answers = await answersTo(error);
    expect(answers).toEqual({ status, http: body, wsStatus: 200, ws: { type: "error", ...body } });
  });

  it("an unexpected error: INTERNAL_ERROR on both, logged, its message kept back", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const answers = await answersTo(new Error("table amelia-prod not found"));
    const body = { code: "INTERNAL_ERROR", error: "Internal server error" };
    expect(answers).toEqual({
      status: 500,
      http: body,
      wsStatus: 200,
      ws: { type: "error", ...body },
    });
    expect(logged).toHaveBeenCalledTimes(2);
  });

  it("a message that is not JSON: VALIDATION_ERROR on the WebSocket, the connection kept", async () => {
    const route = wsRoute(async () => ({ type: "pong" }));
    const result = await route(wsEvent("{not json"), lambdaContext());
    expect(result).toEqual({
      statusCode: 200,
      body: JSON.stringify({
        type: "error",
        code: "VALIDATION_ERROR",
        error: "The message is not valid JSON",
      }),
    });
  });
});
