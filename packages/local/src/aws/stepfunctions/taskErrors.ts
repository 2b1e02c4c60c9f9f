/**
 * Errors as the interpreter sees them. It matches `Retry`/`Catch` on `error.name` and uses
 * `error.message` as the Cause, and it honours optional `isRetryable`/`isCatchable` flags.
 */

/** A Lambda function error, shaped like Step Functions reports one: Cause is the Lambda error JSON. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorMessage, errorType }));
    this.name = errorType;
  }

  static from(thrown: unknown): LambdaFunctionError {
    if (thrown instanceof Error)
      return new LambdaFunctionError(thrown.name || "Error", thrown.message);
    return new LambdaFunctionError("Error", String(thrown));
  }
}

/** A failure reported through SendTaskFailure: Error and Cause exactly as given. */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/**
 * Ends an interpreter run that the emulator has stopped (StopExecution, shutdown, re-arm): neither
 * retried nor caught, so the interpreter never runs another state for it.
 */
export class RunCancelled extends Error {
  override readonly name = "Amelia.RunCancelled";
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor() {
    super("The local interpreter run was cancelled");
  }
}
