/**
 * An error the emulated AWS API returns to its caller. `type` is the error code the SDK maps to
 * an exception class (e.g. `ExecutionDoesNotExist` → `ExecutionDoesNotExist`).
 */
export class AwsServiceError extends Error {
  override readonly name = "AwsServiceError";

  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
