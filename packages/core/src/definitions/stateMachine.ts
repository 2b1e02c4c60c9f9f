import type { TaskFunction } from "./functions";

/** Amazon States Language, JSONPath flavour (the local interpreter ignores JSONata). */
export type StateMachineDefinition = {
  Comment: string;
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
};

const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";
const LAMBDA_WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";

/** A person may take this long to decide at a gate (30 days) before the workflow fails. */
export const GATE_TIMEOUT_SECONDS = 30 * 24 * 60 * 60;
/** Lambda's own ceiling: an agent invocation never runs longer. */
export const AGENT_TIMEOUT_SECONDS = 900;

const retryAgentErrors = [
  {
    ErrorEquals: ["States.ALL"],
    IntervalSeconds: 2,
    MaxAttempts: 2,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: "FULL",
  },
];
const catchToFailure = [
  { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" },
];

function agentTask(functionArn: string, next: string, resultPath: Record<string, unknown>) {
  return {
    Type: "Task",
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: functionArn, Payload: { "workflowId.$": "$.workflowId" } },
    TimeoutSeconds: AGENT_TIMEOUT_SECONDS,
    ...resultPath,
    Retry: retryAgentErrors,
    Catch: catchToFailure,
    Next: next,
  };
}

function gateTask(functionArn: string, gate: "plan" | "review", next: string) {
  return {
    Type: "Task",
    Resource: LAMBDA_WAIT_FOR_TOKEN,
    Parameters: {
      FunctionName: functionArn,
      Payload: { "workflowId.$": "$.workflowId", gate, "taskToken.$": "$$.Task.Token" },
    },
    TimeoutSeconds: GATE_TIMEOUT_SECONDS,
    ResultPath: "$.decision",
    Catch: catchToFailure,
    Next: next,
  };
}

/**
 * The workflow, defined once for the stacks and the local runtime. The state carries only the
 * workflow id and routing flags: documents (plans, diffs, reviews) live in the event log, well
 * clear of Step Functions' 256 KiB payload limit.
 */
export function workflowDefinition(
  functionArns: Record<TaskFunction, string>,
): StateMachineDefinition {
  return {
    Comment: "Amelia: architect → plan gate → developer ⇄ reviewer (→ review gate) → done",
    StartAt: "Architect",
    States: {
      Architect: agentTask(functionArns.architect, "PlanGate", { ResultPath: null }),
      PlanGate: gateTask(functionArns.gate, "plan", "PlanDecision"),
      PlanDecision: {
        Type: "Choice",
        Choices: [{ Variable: "$.decision.approved", BooleanEquals: true, Next: "Developer" }],
        Default: "Architect",
      },
      Developer: agentTask(functionArns.developer, "Reviewer", { ResultPath: null }),
      Reviewer: agentTask(functionArns.reviewer, "ReviewDecision", {
        ResultSelector: { "approved.$": "$.Payload.approved", "atCap.$": "$.Payload.atCap" },
        ResultPath: "$.review",
      }),
      ReviewDecision: {
        Type: "Choice",
        Choices: [
          { Variable: "$.review.approved", BooleanEquals: true, Next: "Complete" },
          { Variable: "$.review.atCap", BooleanEquals: true, Next: "ReviewGate" },
        ],
        Default: "Developer",
      },
      ReviewGate: gateTask(functionArns.gate, "review", "ReviewGateDecision"),
      ReviewGateDecision: {
        Type: "Choice",
        Choices: [{ Variable: "$.decision.approved", BooleanEquals: true, Next: "Complete" }],
        Default: "Developer",
      },
      Complete: {
        Type: "Task",
        Resource: LAMBDA_INVOKE,
        Parameters: {
          FunctionName: functionArns.finish,
          Payload: { "workflowId.$": "$.workflowId", outcome: "completed" },
        },
        ResultPath: null,
        Retry: retryAgentErrors,
        Catch: catchToFailure,
        Next: "Done",
      },
      Done: { Type: "Succeed" },
      RecordFailure: {
        Type: "Task",
        Resource: LAMBDA_INVOKE,
        Parameters: {
          FunctionName: functionArns.finish,
          Payload: { "workflowId.$": "$.workflowId", outcome: "failed", "error.$": "$.error" },
        },
        ResultPath: null,
        Retry: retryAgentErrors,
        Next: "Failed",
      },
      Failed: { Type: "Fail", Error: "WorkflowFailed", Cause: "An agent stage failed" },
    },
  };
}

/** Input of every execution. */
export interface ExecutionInput {
  workflowId: string;
}

/** What the person's decision at a gate sends back through SendTaskSuccess. */
export interface GateDecision {
  approved: boolean;
}

/** What the reviewer task returns to the state machine. */
export interface ReviewOutcome {
  approved: boolean;
  atCap: boolean;
}

/** The execution of a workflow is named after it, so its ARN is known before it starts. */
export function executionArnFor(stateMachineArn: string, workflowId: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${workflowId}`;
}
