import { describe, expect, it } from "vitest";
import {
  ConcurrencyLimitError,
  NotFoundError,
  errorResponse,
  invalidField,
} from "../../src/errors";

describe("errorResponse", () => {
  it("answers a domain error with its status, code, message and details", () => {
    expect(errorResponse(invalidField("feedback", "is required"))).toEqual({
      statusCode: 400,
      body: {
        code: "VALIDATION_ERROR",
        error: "Invalid feedback: is required",
        details: [{ field: "feedback", message: "is required" }],
      },
    });
    expect(errorResponse(new ConcurrencyLimitError(5))).toEqual({
      statusCode: 429,
      body: {
        code: "CONCURRENCY_LIMIT",
        error: "The limit of 5 active workflows is reached; wait for one to finish or cancel one",
        details: { limit: 5 },
      },
    });
  });

  it("leaves `details` out when the error has none", () => {
    const { body } = errorResponse(new NotFoundError("Workflow", "wf-1"));
    expect(body).toEqual({ code: "NOT_FOUND", error: "Workflow wf-1 not found" });
    expect(Object.keys(body)).not.toContain("details");
  });

  it("says nothing of any other error", () => {
    const secret = new Error("connect ECONNREFUSED 10.0.0.7:5432 password=hunter2");
    expect(errorResponse(secret)).toEqual({
      statusCode: 500,
      body: { code: "INTERNAL_ERROR", error: "Internal server error" },
    });
    expect(errorResponse("a thrown string").statusCode).toBe(500);
  });
});
