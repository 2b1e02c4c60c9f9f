/** An AWS service spoken over the JSON 1.0/1.1 protocol, selected by the `x-amz-target` prefix. */
export interface JsonService {
  /** e.g. `AWSStepFunctions` for `x-amz-target: AWSStepFunctions.StartExecution`. */
  readonly targetPrefix: string;
  readonly jsonVersion: "1.0" | "1.1";
  /** Runs one operation; throws `AwsServiceError` for errors the caller should see. */
  handle(operation: string, input: Record<string, unknown>): Promise<unknown>;
}
