/** What the runtime asks of the functions' worker thread, and what it answers (structured clone). */
export interface Invocation {
  id: number;
  /** SST handler path, e.g. `packages/functions/src/http/health.handler`. */
  handlerPath: string;
  event: unknown;
}

export interface InvocationResult {
  id: number;
  /** How long the handler ran (Lambda's billed duration, before rounding). */
  durationMs: number;
  /** The handler's result as Lambda returns it: JSON (absent for `undefined`). */
  payload?: string;
  /** A thrown error as Lambda reports one: its type and message. */
  error?: { errorType: string; errorMessage: string; stack?: string };
}

/** What the worker is started with. */
export interface WorkerSettings {
  repositoryRoot: string;
}
