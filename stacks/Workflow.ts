import { ArnFormat } from "aws-cdk-lib";
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from "aws-cdk-lib/aws-stepfunctions";
import { Function, use, type StackContext } from "sst/constructs";
import { TASK_FUNCTIONS, type TaskFunction } from "@amelia/core/definitions/functions";
import { workflowDefinition, type ChecksResources } from "@amelia/core/definitions/stateMachine";
import { grantTable } from "./access";
import { alarmOnFailedExecutions } from "./alarms";
import { configureFunction, SIZES } from "./functionDefaults";
import { logicalId } from "./logicalId";
import { retainedLogGroup } from "./logs";
import { accept, wildcardResource } from "./nag";
import { Auth, secretEnvironment } from "./Auth";
import { Events } from "./Events";
import { Storage } from "./Storage";

const AGENTS: readonly TaskFunction[] = ["architect", "developer", "reviewer"];

/** Each task function's name in the definition, replaced by its ARN when deployed. */
export const FUNCTION_PLACEHOLDERS = Object.fromEntries(
  Object.keys(TASK_FUNCTIONS).map((name) => [name, `\${${name}}`]),
) as Record<TaskFunction, string>;

/** The checks' CodeBuild project and bucket in the definition, replaced by their names when deployed. */
export const RESOURCE_PLACEHOLDERS: ChecksResources = {
  checksProject: "${checksProject}",
  checksBucket: "${checksBucket}",
};

/** The workflow state machine, from the shared ASL, and the functions its tasks invoke. */
export function Workflow({ stack }: StackContext) {
  const { table } = use(Storage);
  const { bus } = use(Events);
  const { agentSecrets } = use(Auth);

  const environment = {
    AMELIA_TABLE_NAME: table.tableName,
    AMELIA_EVENT_BUS_NAME: bus.eventBusName,
    // Lambda's only writable directory.
    AMELIA_DATA_DIR: "/tmp/amelia",
  };
  const { anthropicApiKey, githubToken } = agentSecrets;
  const tasks = Object.fromEntries(
    Object.entries(TASK_FUNCTIONS).map(([name, handler]) => {
      const agent = AGENTS.includes(name as TaskFunction);
      // Agents open the repository; finish opens its pull request.
      const secrets = agent
        ? [anthropicApiKey, githubToken]
        : name === "finish"
          ? [githubToken]
          : [];
      const fn = configureFunction(
        new Function(stack, logicalId(name), {
          handler,
          ...(agent ? SIZES.agent : SIZES.step),
          environment: { ...environment, ...secretEnvironment(secrets) },
        }),
      );
      grantTable(fn, table, "readWrite");
      if (secrets.length > 0) fn.attachPermissions(secrets.map((s) => s.grantRead));
      if (name !== "halt") bus.cdk.eventBus.grantPutEventsTo(fn);
      return [name, fn];
    }),
  ) as Record<TaskFunction, Function>;

  const stateMachine = new StateMachine(stack, "StateMachine", {
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromString(
      JSON.stringify(workflowDefinition(FUNCTION_PLACEHOLDERS, RESOURCE_PLACEHOLDERS)),
    ),
    definitionSubstitutions: Object.fromEntries(
      Object.entries(tasks).map(([name, fn]) => [name, fn.functionArn]),
    ),
    logs: {
      destination: retainedLogGroup(stack, "StateMachineLogs"),
      level: LogLevel.ALL,
      // Execution data holds the gates' task tokens, which never reach a log.
      includeExecutionData: false,
    },
  });
  for (const fn of Object.values(tasks)) fn.grantInvoke(stateMachine);
  accept(stateMachine, [
    {
      id: "AwsSolutions-IAM5",
      reason:
        "CloudWatch Logs' log-delivery actions take only Resource '*'; '<function>:*' are the task functions' own versions",
      appliesTo: ["Resource::*", wildcardResource("<[A-Za-z0-9]+\\.Arn>:\\*")],
    },
    {
      id: "AwsSolutions-SF2",
      reason:
        "Not traced, like the functions (functionDefaults): execution history and logs show each state, X-Ray bills per trace",
    },
  ]);
  alarmOnFailedExecutions(stack, stateMachine);

  const executionsArn = stack.formatArn({
    service: "states",
    resource: "execution",
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return { stateMachine, executionsArn };
}
