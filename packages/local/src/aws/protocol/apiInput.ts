import { AwsServiceError } from "./AwsServiceError";

/**
 * A required string member of a request, or the error AWS returns without it (ValidationException
 * by default; CodeBuild's is InvalidInputException).
 */
export function requiredString(
  input: Record<string, unknown>,
  member: string,
  errorType = "ValidationException",
): string {
  const value = input[member];
  if (typeof value !== "string" || value === "") {
    throw new AwsServiceError(errorType, `1 validation error detected: '${member}' is required`);
  }
  return value;
}

export function optionalString(
  input: Record<string, unknown>,
  member: string,
  errorType = "ValidationException",
): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new AwsServiceError(errorType, `'${member}' must be a string`);
  }
  return value;
}

/** Round-trips a value through JSON, as crossing a real service boundary would. */
export function toJson(value: unknown): unknown {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/** Parses a JSON string member, or throws the given error as the service does for bad JSON. */
export function parseJson(text: string, errorType: string, message: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AwsServiceError(errorType, message);
  }
}
