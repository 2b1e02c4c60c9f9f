/**
 * Typed domain errors. Each carries the contract's error `code` and the HTTP status the API
 * maps it to, so handlers translate errors without knowing the domain.
 */
export type ErrorCode =
  | "VALIDATION_ERROR"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "WORKFLOW_CONFLICT"
  | "INVALID_STATE"
  | "CONCURRENCY_LIMIT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "DELIVERY_IN_PROGRESS"
  | "NOT_CONFIGURED"
  | "INTERNAL_ERROR";

export class AmeliaError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The contract's error body: over HTTP as it is, on the WebSocket inside `{type: "error"}`. */
export interface ErrorBody {
  code: ErrorCode;
  error: string;
  details?: unknown;
}

export interface ErrorResponse {
  statusCode: number;
  body: ErrorBody;
}

/**
 * How the API answers an error: a domain error with its own status, code and details; anything
 * else as INTERNAL_ERROR, which says nothing of what went wrong (no message, no stack).
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (!(error instanceof AmeliaError)) {
    return { statusCode: 500, body: { code: "INTERNAL_ERROR", error: "Internal server error" } };
  }
  return {
    statusCode: error.statusCode,
    body: {
      code: error.code,
      error: error.message,
      ...(error.details !== undefined && { details: error.details }),
    },
  };
}

export interface FieldIssue {
  field: string;
  message: string;
  /** The field's limit, when it is over it. */
  limitBytes?: number;
}

export class ValidationError extends AmeliaError {
  constructor(message: string, details?: FieldIssue[]) {
    super("VALIDATION_ERROR", 400, message, details);
  }
}

/** A ValidationError on one field of the person's input. */
export function invalidField(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid ${field}: ${message}`, [{ field, message }]);
}

export class NotFoundError extends AmeliaError {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super("NOT_FOUND", 404, `${resource} ${id} not found`);
  }
}

export class WorkflowConflictError extends AmeliaError {
  constructor(
    readonly issueId: string,
    readonly repository: string | undefined,
    readonly activeWorkflowId: string,
  ) {
    super(
      "WORKFLOW_CONFLICT",
      409,
      `Workflow ${activeWorkflowId} is already active for issue ${issueId} in ${repository ?? "the default repository"}`,
      { activeWorkflowId },
    );
  }
}

export class InvalidStateError extends AmeliaError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("INVALID_STATE", 422, message, details);
  }
}

export class ConcurrencyLimitError extends AmeliaError {
  constructor(readonly limit: number) {
    super(
      "CONCURRENCY_LIMIT",
      429,
      `The limit of ${limit} active workflows is reached; wait for one to finish or cancel one`,
      { limit },
    );
  }
}

export class PayloadTooLargeError extends AmeliaError {
  constructor(readonly limitBytes: number) {
    super("PAYLOAD_TOO_LARGE", 413, `Request body exceeds ${limitBytes} bytes`, { limitBytes });
  }
}

/** A request body sent as anything but JSON. */
export class UnsupportedMediaTypeError extends AmeliaError {
  constructor(readonly contentType: string | undefined) {
    super(
      "UNSUPPORTED_MEDIA_TYPE",
      415,
      `A request body must be sent with content-type application/json${contentType ? `, not ${contentType}` : ""}`,
    );
  }
}

/** A workspace the agents cannot use: not a git work tree, a path outside it, a git failure. */
export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "WorkspaceError";
  }
}

/** The message of anything thrown, for a log line or an event. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
