import { ApiUnreachableError, UNEXPECTED_RESPONSE, type ApiError } from "@amelia/client";
import { EXIT_CODES, type ExitCode } from "./exitCodes";

/** An error the CLI reports itself: a code for `--json`, a message, and its exit code. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly details?: unknown,
    /** A line that tells the person what to do about it. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line is wrong; nothing was sent to the server. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super("USAGE_ERROR", message, EXIT_CODES.usage, undefined, hint);
  }
}

/** The server answered with one of the contract's errors (`{ code, error, details? }`). */
export class ServerRefusedError extends CliError {
  constructor(
    readonly status: number | undefined,
    code: string,
    message: string,
    details?: unknown,
    hint?: string,
  ) {
    super(code, message, EXIT_CODES.serverRefused, details, hint);
  }
}

/** No answer from the server at all: refused, unresolvable, timed out, dropped. */
export class ConnectionError extends CliError {
  constructor(
    readonly url: string,
    reason: string,
    apiUrl = url,
  ) {
    super(
      "CONNECTION_FAILED",
      `Cannot reach the Amelia server at ${url}: ${reason}`,
      EXIT_CODES.unreachable,
      undefined,
      `Is \`npm start\` (or \`amelia dev\`) running? AMELIA_API_URL=${apiUrl}`,
    );
  }
}

/** The CLI's form of an error of the API client: its exit code, and a hint of what to do. */
export function cliErrorOf(error: ApiError, apiUrl: string, hasToken: boolean): CliError {
  if (error instanceof ApiUnreachableError) return new ConnectionError(apiUrl, error.reason);
  return new ServerRefusedError(
    error.status,
    error.code,
    error.message,
    error.details,
    error.needsToken
      ? unauthorizedHint(hasToken)
      : error.code === UNEXPECTED_RESPONSE
        ? "Does AMELIA_API_URL point at an Amelia server?"
        : undefined,
  );
}

export function unauthorizedHint(hasToken: boolean): string {
  return hasToken
    ? "AMELIA_API_TOKEN does not match the server's token."
    : "The server needs a token: set AMELIA_API_TOKEN.";
}
