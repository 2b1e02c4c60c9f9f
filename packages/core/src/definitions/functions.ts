/**
 * Every Lambda of the product, by logical name, as an SST handler path. The stacks deploy these
 * and the local runtime imports the same modules, so there is one list of functions.
 */
export const TASK_FUNCTIONS = {
  architect: "packages/functions/src/agents/architect.handler",
  developer: "packages/functions/src/agents/developer.handler",
  reviewer: "packages/functions/src/agents/reviewer.handler",
  prepareChecks: "packages/functions/src/checks/prepareChecks.handler",
  recordChecks: "packages/functions/src/checks/recordChecks.handler",
  gate: "packages/functions/src/workflow/gate.handler",
  finish: "packages/functions/src/workflow/finish.handler",
  halt: "packages/functions/src/workflow/halt.handler",
} as const;
export type TaskFunction = keyof typeof TASK_FUNCTIONS;

export const EVENT_FUNCTIONS = {
  broadcaster: "packages/functions/src/realtime/broadcaster.handler",
  githubStatus: "packages/functions/src/github/reportStatus.handler",
} as const;
export type EventFunction = keyof typeof EVENT_FUNCTIONS;

/**
 * Starts the workflows whose create was cut off by a crash: the local runtime runs it before it
 * serves, on what its last run left.
 */
export const RECOVERY_FUNCTION = "packages/functions/src/workflow/startInterrupted.handler";

/** Checks the API token on HTTP routes (but health) and on the WebSocket `$connect`. */
export const AUTHORIZER_FUNCTION = "packages/functions/src/auth/authorizer.handler";
