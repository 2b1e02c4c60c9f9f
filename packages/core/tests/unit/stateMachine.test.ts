import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { TASK_FUNCTIONS, type TaskFunction } from "../../src/definitions/functions";
import {
  executionArnFor,
  GATE_TIMEOUT_SECONDS,
  PERMANENT_AGENT_ERROR,
  workflowDefinition,
} from "../../src/definitions/stateMachine";

const arns = Object.fromEntries(
  Object.keys(TASK_FUNCTIONS).map((name) => [
    name,
    `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
  ]),
) as Record<TaskFunction, string>;
const resources = { checksProject: "amelia-checks", checksBucket: "amelia-checks-sources" };
const definition = workflowDefinition(arns, resources);
type State = Record<string, unknown> & {
  Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> };
};
const state = (name: string) => definition.States[name] as State;

describe("the workflow state machine", () => {
  it("is valid Amazon States Language", () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText("\n")).toBe("");
    expect(isValid).toBe(true);
  });

  const GATE_STATES = [
    "ArchitectBudget",
    "DeveloperBudget",
    "PlanGate",
    "ReviewGate",
    "ReviewerBudget",
  ];

  it("waits for a person at every gate, with the token passed to the gate function only", () => {
    for (const gate of GATE_STATES) {
      expect(state(gate).Resource).toBe("arn:aws:states:::lambda:invoke.waitForTaskToken");
      expect(state(gate).Parameters?.FunctionName).toBe(arns.gate);
      expect(state(gate).Parameters?.Payload?.["taskToken.$"]).toBe("$$.Task.Token");
      expect(state(gate).TimeoutSeconds).toBe(GATE_TIMEOUT_SECONDS);
    }
    const tokenUsers = Object.entries(definition.States).filter(([, s]) =>
      JSON.stringify(s).includes("$$.Task.Token"),
    );
    expect(tokenUsers.map(([name]) => name).sort()).toEqual(GATE_STATES);
  });

  it("routes the decisions: approve → developer, reject → architect; review approved → complete", () => {
    expect(state("PlanDecision")).toMatchObject({
      Choices: [{ Variable: "$.decision.approved", BooleanEquals: true, Next: "Developer" }],
      Default: "Architect",
    });
    expect(state("ReviewDecision")).toMatchObject({
      Choices: [
        { Variable: "$.review.budget", BooleanEquals: true, Next: "ReviewerBudget" },
        { Variable: "$.review.approved", BooleanEquals: true, Next: "Complete" },
        { Variable: "$.review.atCap", BooleanEquals: true, Next: "ReviewGate" },
      ],
      Default: "Developer",
    });
    expect(state("ReviewGateDecision")).toMatchObject({ Default: "Developer" });
  });

  it("loops the developer while it reports more to do, then verifies the round", () => {
    expect(state("Developer")).toMatchObject({
      ResultSelector: { "done.$": "$.Payload.done", "budget.$": "$.Payload.budget" },
      ResultPath: "$.developer",
      Next: "DeveloperProgress",
    });
    expect(state("DeveloperProgress")).toMatchObject({
      Choices: [
        { Variable: "$.developer.budget", BooleanEquals: true, Next: "DeveloperBudget" },
        { Variable: "$.developer.done", BooleanEquals: true, Next: "Verify" },
      ],
      Default: "Developer",
    });
  });

  it("stops each agent at the budget gate, which goes back to the same agent", () => {
    expect(state("ArchitectRoute")).toMatchObject({
      Choices: [{ Variable: "$.architect.budget", BooleanEquals: true, Next: "ArchitectBudget" }],
      Default: "PlanGate",
    });
    for (const [gate, agent] of [
      ["ArchitectBudget", "Architect"],
      ["DeveloperBudget", "Developer"],
      ["ReviewerBudget", "Reviewer"],
    ] as const) {
      expect(state(gate).Parameters?.Payload?.gate).toBe("budget");
      expect(state(gate).Next).toBe(agent);
    }
  });

  it("runs the checks in a CodeBuild build and waits for it; no checks → the reviewer", () => {
    expect(state("Verify")).toMatchObject({
      Parameters: { FunctionName: arns.prepareChecks },
      ResultPath: "$.verify",
      Next: "VerifyRoute",
    });
    expect(state("VerifyRoute")).toMatchObject({
      Choices: [{ Variable: "$.verify.run", IsNull: true, Next: "Reviewer" }],
      Default: "RunChecks",
    });
    expect(state("RunChecks")).toMatchObject({
      Resource: "arn:aws:states:::codebuild:startBuild.sync",
      Parameters: {
        ProjectName: "amelia-checks",
        SourceTypeOverride: "S3",
        "SourceLocationOverride.$": "$.verify.run.sourceLocation",
        ArtifactsOverride: { Location: "amelia-checks-sources", "Name.$": "$.verify.run.runId" },
      },
      // A build that fails to run still reaches RecordChecks, which records it as not passed.
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.build", Next: "RecordChecks" }],
      Next: "RecordChecks",
    });
    expect(state("RecordChecks").Parameters).toEqual({
      FunctionName: arns.recordChecks,
      Payload: {
        "workflowId.$": "$.workflowId",
        "runId.$": "$.verify.run.runId",
        "build.$": "$.build",
      },
    });
  });

  it("sends passing checks to the reviewer, failing ones back to the developer, and at the cap to a person", () => {
    expect(state("ChecksRoute")).toMatchObject({
      Type: "Choice",
      Choices: [
        { Variable: "$.checks.passed", BooleanEquals: true, Next: "Reviewer" },
        { Variable: "$.checks.atCap", BooleanEquals: true, Next: "ReviewGate" },
      ],
      Default: "Developer",
    });
  });

  it("retries agent errors with backoff except permanent ones, then records the failure", () => {
    for (const agent of ["Architect", "Developer", "Reviewer"]) {
      const task = state(agent);
      expect(task.Retry).toEqual([
        { ErrorEquals: [PERMANENT_AGENT_ERROR], MaxAttempts: 0 },
        expect.objectContaining({ ErrorEquals: ["States.ALL"], BackoffRate: 2 }),
      ]);
      expect(task.Catch).toEqual([
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: `${agent}Failed` },
      ]);
      expect(state(`${agent}Failed`)).toMatchObject({
        Type: "Pass",
        Result: agent,
        ResultPath: "$.resumeAt",
        Next: "RecordFailure",
      });
    }
    expect(state("RecordFailure").Parameters?.Payload).toMatchObject({
      outcome: "failed",
      "error.$": "$.error",
    });
    expect(state("RecordFailure").Next).toBe("Halted");
  });

  it("fails in a task that a resume reruns, then goes back to the state that failed", () => {
    expect(state("Halted")).toMatchObject({
      Type: "Task",
      Parameters: { FunctionName: arns.halt },
      Next: "ResumeRoute",
    });
    // No Catch and no Retry: the execution fails right there, and a redrive reruns it.
    expect(state("Halted").Catch).toBeUndefined();
    expect(state("Halted").Retry).toBeUndefined();
    const routes = (state("ResumeRoute").Choices as { StringEquals: string; Next: string }[]).map(
      (choice) => [choice.StringEquals, choice.Next],
    );
    const caught = Object.entries(definition.States)
      .filter(([name, s]) =>
        ((s as State).Catch as { Next: string }[] | undefined)?.some(
          (c) => c.Next === `${name}Failed`,
        ),
      )
      .map(([name]) => name);
    expect(routes.map(([from]) => from).sort()).toEqual(caught.sort());
    for (const [from, to] of routes) expect(to).toBe(from);
    expect(Object.values(definition.States).some((s) => (s as State).Type === "Fail")).toBe(false);
  });

  it("carries ids, not documents: every task payload is the workflow id and flags", () => {
    for (const [name, s] of Object.entries(definition.States)) {
      const payload = (s as State).Parameters?.Payload;
      if (!payload) continue;
      expect(payload["workflowId.$"], name).toBe("$.workflowId");
      expect(
        Object.keys(payload).every((k) =>
          [
            "workflowId.$",
            "gate",
            "taskToken.$",
            "outcome",
            "error.$",
            "runId.$",
            "build.$",
          ].includes(k),
        ),
      ).toBe(true);
    }
  });

  it("names each execution after its workflow", () => {
    expect(executionArnFor("arn:aws:states:eu-west-1:1:stateMachine:amelia", "wf-1")).toBe(
      "arn:aws:states:eu-west-1:1:execution:amelia:wf-1",
    );
  });
});
