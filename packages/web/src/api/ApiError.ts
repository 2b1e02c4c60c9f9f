import type { FieldIssue } from "./types";

/** An error answer of the API (`{code, error, details}`), or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The field-level problems of a VALIDATION_ERROR, when the API named them. */
  get fieldIssues(): FieldIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is FieldIssue => typeof d === "object" && d !== null && "field" in d && "message" in d,
    );
  }
}
