import { ArnFormat } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from "aws-cdk-lib/aws-stepfunctions";
import { Function, use, type StackContext } from "sst/constructs";
import { TASK_FUNCTIONS, type TaskFunction } from "@amelia/core/definitions/functions";
import { workflowDefinition, type ChecksResources } from "@amelia/core/definitions/stateMachine";
import type { SecretName } from "@amelia/core/secrets";
import { grantTable } from "./access";
import { alarmOnFailedExecutions } from "./alarms";
import { deployedBedrockModels, grantBedrockModel } from "./bedrock";
import { checksEnvironment, checksSandbox, grantChecks, type ChecksAccess } from "./checks";
import { configureFunction, SIZES } from "./functionDefaults";
import { logicalId } from "./logicalId";
import { retainedLogGroup } from "./logs";
import { accept, wildcardResource } from "./nag";
import { isProductionStage } from "./stages";
import { Auth } from "./Auth";
import { Events } from "./Events";
import { Storage } from "./Storage";

const AGENT_SECRETS: SecretName[] = ["anthropicApiKey", "githubToken"];
/** The agents' tools run checks and commands in builds of the workspace as it is. */
const RUNS_BUILDS: ChecksAccess[] = ["putSources", "startBuilds", "readResults"];

/** What each task function is sized for and may open and call, besides the table and the bus. */
const TASK_ACCESS: Record<
  TaskFunction,
  {
    size: "agent" | "step";
    secrets: SecretName[];
    /** The agent whose model it calls (on Bedrock, the one model it may invoke). */
    agent?: "architect" | "developer" | "reviewer";
    checks?: ChecksAccess[];
    /** Records no events: it only fails the execution. */
    silent?: true;
  }
> = {
  architect: { size: "agent", secrets: AGENT_SECRETS, agent: "architect" },
  developer: { size: "agent", secrets: AGENT_SECRETS, checks: RUNS_BUILDS, agent: "developer" },
  reviewer: { size: "agent", secrets: AGENT_SECRETS, checks: RUNS_BUILDS, agent: "reviewer" },
  // Opens the workspace like an agent and zips the round's commit; the state machine builds it.
  prepareChecks: { size: "agent", secrets: ["githubToken"], checks: ["putSources"] },
  recordChecks: { size: "step", secrets: [], checks: ["readResults"] },
  gate: { size: "step", secrets: [] },
  // Opens the pull request.
  finish: { size: "step", secrets: ["githubToken"] },
  halt: { size: "step", secrets: [], silent: true },
};

/** Each task function's name in the definition, replaced by its ARN when deployed. */
export const FUNCTION_PLACEHOLDERS = Object.fromEntries(
  Object.keys(TASK_FUNCTIONS).map((name) => [name, `\${${name}}`]),
) as Record<TaskFunction, string>;

/** The checks' CodeBuild project and bucket in the definition, replaced by their names when deployed. */
export const RESOURCE_PLACEHOLDERS: ChecksResources = {
  checksProject: "${checksProject}",
  checksBucket: "${checksBucket}",
};

/** The rule Step Functions manages in the account for `codebuild:startBuild.sync` tasks. */
export const CODEBUILD_SYNC_RULE = "StepFunctionsGetEventForCodeBuildStartBuildRule";

/** The workflow state machine, from the shared ASL, and the functions its tasks invoke. */
export function Workflow({ stack, app }: StackContext) {
  const { table } = use(Storage);
  const { bus } = use(Events);
  const { grantSecrets } = use(Auth);
  const checks = checksSandbox(stack, { production: isProductionStage(app.stage) });
  const bedrockModels = deployedBedrockModels();

  const environment = {
    AMELIA_TABLE_NAME: table.tableName,
    AMELIA_EVENT_BUS_NAME: bus.eventBusName,
    // Lambda's only writable directory.
    AMELIA_DATA_DIR: "/tmp/amelia",
  };
  const tasks = Object.fromEntries(
    Object.entries(TASK_FUNCTIONS).map(([name, handler]) => {
      const access = TASK_ACCESS[name as TaskFunction];
      const fn = configureFunction(
        new Function(stack, logicalId(name), {
          handler,
          ...SIZES[access.size],
          environment: {
            ...environment,
            ...(access.checks && checksEnvironment(checks)),
          },
        }),
      );
      grantTable(fn, table, "readWrite");
      grantSecrets(fn, access.secrets);
      if (!access.silent) bus.cdk.eventBus.grantPutEventsTo(fn);
      if (access.checks) grantChecks(fn, checks, access.checks);
      if (access.agent && bedrockModels) grantBedrockModel(fn, stack, bedrockModels[access.agent]);
      return [name, fn];
    }),
  ) as Record<TaskFunction, Function>;

  const resources: ChecksResources = {
    checksProject: checks.project.projectName,
    checksBucket: checks.bucket.bucketName,
  };
  const stateMachine = new StateMachine(stack, "StateMachine", {
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromString(
      JSON.stringify(workflowDefinition(FUNCTION_PLACEHOLDERS, RESOURCE_PLACEHOLDERS)),
    ),
    definitionSubstitutions: {
      ...Object.fromEntries(Object.entries(tasks).map(([name, fn]) => [name, fn.functionArn])),
      ...resources,
    },
    logs: {
      destination: retainedLogGroup(stack, "StateMachineLogs"),
      level: LogLevel.ALL,
      // Execution data holds the gates' task tokens, which never reach a log.
      includeExecutionData: false,
    },
  });
  for (const fn of Object.values(tasks)) fn.grantInvoke(stateMachine);
  // RunChecks (startBuild.sync): start the build, follow it, stop it when the execution is
  // stopped; Step Functions hears that a build ended through an EventBridge rule it manages.
  stateMachine.addToRolePolicy(
    new PolicyStatement({
      actions: ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds"],
      resources: [checks.project.projectArn],
    }),
  );
  stateMachine.addToRolePolicy(
    new PolicyStatement({
      actions: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
      resources: [
        stack.formatArn({
          service: "events",
          resource: "rule",
          resourceName: CODEBUILD_SYNC_RULE,
        }),
      ],
    }),
  );
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
  return { stateMachine, executionsArn, checks };
}
