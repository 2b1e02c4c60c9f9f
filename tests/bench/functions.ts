import {
  AUTHORIZER_FUNCTION,
  EVENT_FUNCTIONS,
  TASK_FUNCTIONS,
} from "../../packages/core/src/definitions/functions";
import { HTTP_ROUTES, WEBSOCKET_ROUTES } from "../../packages/core/src/definitions/routes";
import { SIZES } from "../../stacks/functionDefaults";

export type FunctionKind = keyof typeof SIZES;

/** Every deployed function by SST handler path, with the kind that sizes it in the stacks. */
export function deployedFunctions(): Map<string, FunctionKind> {
  const agents = new Set<string>([
    TASK_FUNCTIONS.architect,
    TASK_FUNCTIONS.developer,
    TASK_FUNCTIONS.reviewer,
  ]);
  const functions = new Map<string, FunctionKind>();
  for (const handler of Object.values(TASK_FUNCTIONS)) {
    functions.set(handler, agents.has(handler) ? "agent" : "step");
  }
  for (const route of [...HTTP_ROUTES, ...WEBSOCKET_ROUTES]) functions.set(route.handler, "http");
  functions.set(EVENT_FUNCTIONS.broadcaster, "broadcaster");
  functions.set(EVENT_FUNCTIONS.githubStatus, "step");
  functions.set(AUTHORIZER_FUNCTION, "authorizer");
  return functions;
}
