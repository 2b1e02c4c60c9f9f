import type { Gate } from "../workflow/status";
import type { TaskFunction } from "./functions";

/** Amazon States Language, JSONPath flavour (the local interpreter ignores JSONata). */
export type StateMachineDefinition = {
  Comment: string;
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
};

const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";
const LAMBDA_WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";
/** Starts a CodeBuild build and waits for it to end (the optimized integration). */
export const CODEBUILD_START_BUILD_SYNC = "arn:aws:states:::codebuild:startBuild.sync";

/** Where the repository's checks run: the CodeBuild project, and the bucket of its sources and results. */
export interface ChecksResources {
  checksProject: string;
  checksBucket: string;
}

/**
 * The checks bucket: a run's source archive under `sources/`, its results (the build's
 * artifacts) under `results/<runId>/`. A build's time is the project's (CodeBuild's Lambda
 * compute takes no override); each command has its own limit in the runner.
 */
export const CHECKS_SOURCES_PATH = "sources";
export const CHECKS_RESULTS_PATH = "results";

/** A person may take this long to decide at a gate (30 days) before the workflow fails. */
export const GATE_TIMEOUT_SECONDS = 30 * 24 * 60 * 60;
/** Lambda's own ceiling: an agent invocation never runs longer. */
export const AGENT_TIMEOUT_SECONDS = 900;

/**
 * The error name of a stage failure that trying again cannot fix (a refused request, a malformed
 * answer after its correction): the state machine does not retry it.
 */
export const PERMANENT_AGENT_ERROR = "PermanentAgentError";

const retryAgentErrors = [
  { ErrorEquals: [PERMANENT_AGENT_ERROR], MaxAttempts: 0 },
  {
    ErrorEquals: ["States.ALL"],
    IntervalSeconds: 2,
    MaxAttempts: 2,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: "FULL",
  },
];

/** The states a failure can happen in, and so the states a resumed workflow goes back to. */
const RESUMABLE_STATES = [
  "Architect",
  "PlanGate",
  "Developer",
  "Verify",
  "RecordChecks",
  "Reviewer",
  "ReviewGate",
  "Complete",
] as const;
type ResumableState = (typeof RESUMABLE_STATES)[number];

/** Every failure goes through `<State>Failed`, which notes where to resume, then RecordFailure. */
function catchToFailure(state: ResumableState) {
  return [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: `${state}Failed` }];
}

/** A Lambda task given the workflow id; `fields` sets its results (or Parameters of its own). */
function agentTask(
  state: ResumableState,
  functionArn: string,
  next: string,
  fields: Record<string, unknown>,
) {
  return {
    Type: "Task",
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: functionArn, Payload: { "workflowId.$": "$.workflowId" } },
    TimeoutSeconds: AGENT_TIMEOUT_SECONDS,
    ...fields,
    Retry: retryAgentErrors,
    Catch: catchToFailure(state),
    Next: next,
  };
}

function gateTask(state: ResumableState, functionArn: string, gate: Gate, next: string) {
  return {
    Type: "Task",
    Resource: LAMBDA_WAIT_FOR_TOKEN,
    Parameters: {
      FunctionName: functionArn,
      Payload: { "workflowId.$": "$.workflowId", gate, "taskToken.$": "$$.Task.Token" },
    },
    TimeoutSeconds: GATE_TIMEOUT_SECONDS,
    ResultPath: "$.decision",
    Catch: catchToFailure(state),
    Next: next,
  };
}

function failureStates(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    RESUMABLE_STATES.map((state) => [
      `${state}Failed`,
      { Type: "Pass", Result: state, ResultPath: "$.resumeAt", Next: "RecordFailure" },
    ]),
  );
}

/**
 * The workflow, defined once for the stacks and the local runtime. The state carries only the
 * workflow id and routing flags: documents (plans, diffs, reviews, the developer's conversation)
 * live in the table, well clear of Step Functions' 256 KiB payload limit.
 *
 * The developer loops on itself while it reports `done: false`: each invocation takes a budget
 * of turns, so a long implementation never meets Lambda's 15-minute limit. Each round it
 * finishes is verified: the repository's checks run in a CodeBuild build on the round's commit;
 * failures go back to the developer, passes to the reviewer.
 *
 * A failure (after retries) is recorded by RecordFailure, then the execution fails in Halted, a
 * task, so that RedriveExecution (a person's resume) reruns Halted: for a resumed workflow it
 * passes, and ResumeRoute goes back to the state that failed.
 */
export function workflowDefinition(
  functionArns: Record<TaskFunction, string>,
  resources: ChecksResources,
): StateMachineDefinition {
  const payload = { "workflowId.$": "$.workflowId" };
  return {
    Comment:
      "Amelia: architect → plan gate (a revision may start at the developer) → developer (loops until done) → checks ⇄ reviewer (→ review gate) → done",
    StartAt: "FirstStage",
    States: {
      FirstStage: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.firstStage", IsPresent: true },
              { Variable: "$.firstStage", StringEquals: "developer" },
            ],
            Next: "Developer",
          },
        ],
        Default: "Architect",
      },
      Architect: agentTask("Architect", functionArns.architect, "ArchitectRoute", {
        ResultSelector: { "budget.$": "$.Payload.budget" },
        ResultPath: "$.architect",
      }),
      ArchitectRoute: {
        Type: "Choice",
        Choices: [{ Variable: "$.architect.budget", BooleanEquals: true, Next: "ArchitectBudget" }],
        Default: "PlanGate",
      },
      // A stage stopped at the budget continues where it stopped once a person raises it.
      ArchitectBudget: gateTask("Architect", functionArns.gate, "budget", "Architect"),
      PlanGate: gateTask("PlanGate", functionArns.gate, "plan", "PlanDecision"),
      PlanDecision: {
        Type: "Choice",
        Choices: [{ Variable: "$.decision.approved", BooleanEquals: true, Next: "Developer" }],
        Default: "Architect",
      },
      Developer: agentTask("Developer", functionArns.developer, "DeveloperProgress", {
        ResultSelector: { "done.$": "$.Payload.done", "budget.$": "$.Payload.budget" },
        ResultPath: "$.developer",
      }),
      DeveloperProgress: {
        Type: "Choice",
        Choices: [
          { Variable: "$.developer.budget", BooleanEquals: true, Next: "DeveloperBudget" },
          { Variable: "$.developer.done", BooleanEquals: true, Next: "Verify" },
        ],
        Default: "Developer",
      },
      DeveloperBudget: gateTask("Developer", functionArns.gate, "budget", "Developer"),
      Verify: agentTask("Verify", functionArns.prepareChecks, "VerifyRoute", {
        ResultSelector: { "run.$": "$.Payload.run" },
        ResultPath: "$.verify",
      }),
      VerifyRoute: {
        Type: "Choice",
        Choices: [{ Variable: "$.verify.run", IsNull: true, Next: "Reviewer" }],
        Default: "RunChecks",
      },
      RunChecks: {
        Type: "Task",
        Resource: CODEBUILD_START_BUILD_SYNC,
        Parameters: {
          ProjectName: resources.checksProject,
          SourceTypeOverride: "S3",
          "SourceLocationOverride.$": "$.verify.run.sourceLocation",
          "BuildspecOverride.$": "$.verify.run.buildspec",
          ArtifactsOverride: {
            Type: "S3",
            Location: resources.checksBucket,
            Path: CHECKS_RESULTS_PATH,
            "Name.$": "$.verify.run.runId",
            Packaging: "NONE",
            NamespaceType: "NONE",
          },
        },
        ResultSelector: { "id.$": "$.Build.Id", "status.$": "$.Build.BuildStatus" },
        ResultPath: "$.build",
        Retry: [
          { ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 },
        ],
        // A build that could not run is recorded as such; the checks did not pass.
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.build", Next: "RecordChecks" }],
        Next: "RecordChecks",
      },
      RecordChecks: agentTask("RecordChecks", functionArns.recordChecks, "ChecksRoute", {
        Parameters: {
          FunctionName: functionArns.recordChecks,
          Payload: {
            ...payload,
            "runId.$": "$.verify.run.runId",
            "build.$": "$.build",
          },
        },
        ResultSelector: { "passed.$": "$.Payload.passed", "atCap.$": "$.Payload.atCap" },
        ResultPath: "$.checks",
      }),
      ChecksRoute: {
        Type: "Choice",
        Choices: [
          { Variable: "$.checks.passed", BooleanEquals: true, Next: "Reviewer" },
          { Variable: "$.checks.atCap", BooleanEquals: true, Next: "ReviewGate" },
        ],
        Default: "Developer",
      },
      Reviewer: agentTask("Reviewer", functionArns.reviewer, "ReviewDecision", {
        ResultSelector: {
          "approved.$": "$.Payload.approved",
          "atCap.$": "$.Payload.atCap",
          "budget.$": "$.Payload.budget",
        },
        ResultPath: "$.review",
      }),
      ReviewerBudget: gateTask("Reviewer", functionArns.gate, "budget", "Reviewer"),
      ReviewDecision: {
        Type: "Choice",
        Choices: [
          { Variable: "$.review.budget", BooleanEquals: true, Next: "ReviewerBudget" },
          { Variable: "$.review.approved", BooleanEquals: true, Next: "Complete" },
          { Variable: "$.review.atCap", BooleanEquals: true, Next: "ReviewGate" },
        ],
        Default: "Developer",
      },
      ReviewGate: gateTask("ReviewGate", functionArns.gate, "review", "ReviewGateDecision"),
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
          Payload: { ...payload, outcome: "completed" },
        },
        ResultPath: null,
        Retry: retryAgentErrors,
        Catch: catchToFailure("Complete"),
        Next: "Done",
      },
      Done: { Type: "Succeed" },
      ...failureStates(),
      RecordFailure: {
        Type: "Task",
        Resource: LAMBDA_INVOKE,
        Parameters: {
          FunctionName: functionArns.finish,
          Payload: { ...payload, outcome: "failed", "error.$": "$.error" },
        },
        ResultPath: null,
        Retry: retryAgentErrors,
        Next: "Halted",
      },
      Halted: {
        Type: "Task",
        Resource: LAMBDA_INVOKE,
        Parameters: { FunctionName: functionArns.halt, Payload: payload },
        ResultPath: null,
        Next: "ResumeRoute",
      },
      ResumeRoute: {
        Type: "Choice",
        Choices: RESUMABLE_STATES.map((state) => ({
          Variable: "$.resumeAt",
          StringEquals: state,
          Next: state,
        })),
      },
    },
  };
}

/** Where an execution starts: a revision goes straight to the developer unless it asked for a plan. */
export type FirstStage = "architect" | "developer";

/** Input of every execution (`firstStage` absent: the architect, as executions began before). */
export interface ExecutionInput {
  workflowId: string;
  firstStage?: FirstStage;
}

/** What the person's decision at a gate sends back through SendTaskSuccess. */
export interface GateDecision {
  approved: boolean;
}

/** What the prepareChecks task returns: the build to run, or null when there are no checks. */
export interface ChecksRun {
  runId: string;
  /** `<bucket>/<key>` of the source archive. */
  sourceLocation: string;
  buildspec: string;
}

/** What the recordChecks task gets: the run, and how its build ended (an error when it failed). */
export interface RecordChecksInput {
  workflowId: string;
  runId: string;
  build: { id?: string; status?: string; Error?: string; Cause?: string };
}

/** What the recordChecks task returns. */
export interface ChecksOutcome {
  passed: boolean;
  /** Not passed, and the checks rounds are used up: a person decides at the review gate. */
  atCap: boolean;
}

/** What an agent task returns: whether it stopped at the budget (the budget gate is next). */
export interface BudgetOutcome {
  budget: boolean;
}

/** What the developer task returns: false while the round needs another invocation. */
export interface DeveloperProgress extends BudgetOutcome {
  done: boolean;
}

/** What the halt task's error is named: the execution failed with the workflow. */
export const WORKFLOW_HALTED_ERROR = "WorkflowFailed";

/** The execution of a workflow is named after it, so its ARN is known before it starts. */
export function executionArnFor(stateMachineArn: string, workflowId: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${workflowId}`;
}
