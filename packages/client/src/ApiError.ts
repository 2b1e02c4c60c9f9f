import type { ErrorBody, FieldIssue } from "./types";

/** An error answer of the API: the contract's `{code, error, details}`, or what stood in for it. */
export class ApiError extends Error {
  constructor(
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The server wants a token, or a different one: ask for it, or say how to set it. */
  get needsToken(): boolean {
    return this.status === 401 || this.code === UNAUTHORIZED;
  }

  /** The field-level problems of a VALIDATION_ERROR, when the API named them. */
  get fieldIssues(): FieldIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (d): d is FieldIssue => typeof d === "object" && d !== null && "field" in d && "message" in d,
    );
  }

  /** The error an answer stands for: its own when it is the contract's, else a stand-in. */
  static fromAnswer(status: number, body: unknown): ApiError {
    if (isErrorBody(body)) return new ApiError(status, body.code, body.error, body.details);
    // API Gateway's authorizer answers for itself, with no code: 401 when the token is missing,
    // 403 when it was refused.
    if ((status === 401 || status === 403) && isGatewayBody(body)) {
      return new ApiError(
        status,
        UNAUTHORIZED,
        `A valid API token is required (the API gateway answered ${status} ${body.message})`,
      );
    }
    return new ApiError(
      status,
      UNEXPECTED_RESPONSE,
      `The server answered HTTP ${status} without an error code`,
    );
  }

  /** An answer whose body is not JSON: whatever answered is not the Amelia API. */
  static notJson(status: number): ApiError {
    return new ApiError(
      status,
      UNEXPECTED_RESPONSE,
      `The server answered HTTP ${status} with a body that is not JSON`,
    );
  }
}

/** No answer at all: refused, unresolvable, timed out, dropped. */
export class ApiUnreachableError extends ApiError {
  constructor(
    readonly url: string,
    /** What failed, as the platform said it (ECONNREFUSED, "Failed to fetch", …). */
    readonly reason: string,
  ) {
    super(0, "NETWORK_ERROR", `Cannot reach the Amelia API (${reason}). Is it running?`);
  }
}

/** The code of an answer that is not the contract's: something else answered. */
export const UNEXPECTED_RESPONSE = "UNEXPECTED_RESPONSE";
const UNAUTHORIZED = "UNAUTHORIZED";

function isErrorBody(body: unknown): body is ErrorBody {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { code?: unknown }).code === "string" &&
    typeof (body as { error?: unknown }).error === "string"
  );
}

/** API Gateway's own answers: `{"message": "Forbidden"}` and the like. */
function isGatewayBody(body: unknown): body is { message: string } {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { message?: unknown }).message === "string" &&
    !("code" in body)
  );
}
