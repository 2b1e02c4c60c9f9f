import { TASK_FUNCTIONS, type TaskFunction } from "@amelia/core/definitions/functions";
import { workflowDefinition } from "@amelia/core/definitions/stateMachine";

/** Each task function named after itself, so a test's fakes are keyed by the logical names. */
const FUNCTION_NAMES = Object.fromEntries(
  Object.keys(TASK_FUNCTIONS).map((name) => [name, name]),
) as Record<TaskFunction, string>;

/** The checks' project and bucket, as a test's CodeBuild and S3 know them. */
export const CHECKS_RESOURCES = { checksProject: "amelia-checks", checksBucket: "amelia-checks" };

/** The product's own state machine, its tasks invoking functions named as above. */
export const productDefinition = () => workflowDefinition(FUNCTION_NAMES, CHECKS_RESOURCES);
