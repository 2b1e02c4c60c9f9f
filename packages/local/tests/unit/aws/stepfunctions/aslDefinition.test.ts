import { describe, expect, it } from "vitest";
import {
  AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
  collectTaskStates,
  MAX_TIMER_SECONDS,
  runDefinition,
  type AslDefinition,
} from "../../../../src/aws/stepfunctions/aslDefinition";
import { productDefinition } from "../../../support/productDefinition";

const product = productDefinition();

function oneTask(state: Record<string, unknown>): AslDefinition {
  return {
    StartAt: "T",
    States: { T: { Type: "Task", Parameters: { FunctionName: "f" }, End: true, ...state } },
  };
}

describe("ASL definitions for the local interpreter", () => {
  it("finds the product's Lambda, token-wait and CodeBuild tasks", () => {
    const tasks = collectTaskStates(product);
    expect(tasks.get("PlanGate")).toEqual({
      kind: "waitForTaskToken",
      timeoutSeconds: 2_592_000,
      topLevel: true,
    });
    expect(tasks.get("Architect")).toEqual({ kind: "invoke", timeoutSeconds: 900, topLevel: true });
    expect(tasks.get("Complete")?.timeoutSeconds).toBe(AWS_DEFAULT_TASK_TIMEOUT_SECONDS);
    expect(tasks.get("RunChecks")?.kind).toBe("startBuildSync");
    expect([...tasks.keys()].sort()).toEqual(
      [
        "Architect",
        "ArchitectBudget",
        "Complete",
        "Developer",
        "DeveloperBudget",
        "Halted",
        "PlanGate",
        "RecordChecks",
        "RecordFailure",
        "ReviewGate",
        "Reviewer",
        "ReviewerBudget",
        "RunChecks",
        "Verify",
      ].sort(),
    );
  });

  it("finds tasks inside Map and Parallel states", () => {
    const inner = {
      StartAt: "Inner",
      States: { Inner: oneTask({ Resource: "arn:aws:states:::lambda:invoke" }).States.T! },
    };
    const definition: AslDefinition = {
      StartAt: "P",
      States: {
        P: { Type: "Parallel", Branches: [inner], Next: "M" },
        M: { Type: "Map", ItemProcessor: inner, End: true },
      },
    };
    expect(collectTaskStates(definition).get("Inner")).toMatchObject({
      kind: "invoke",
      topLevel: false,
    });
  });

  it("refuses what the interpreter would run wrongly or against real AWS", () => {
    expect(() => collectTaskStates({ ...product, QueryLanguage: "JSONata" })).toThrow(/JSONata/);
    expect(() =>
      collectTaskStates(oneTask({ Resource: "arn:aws:states:::sqs:sendMessage" })),
    ).toThrow(/only arn:aws:states:::lambda:invoke/);
    const noFunction = oneTask({
      Resource: "arn:aws:states:::lambda:invoke",
      Parameters: { Payload: {} },
    });
    expect(() => collectTaskStates(noFunction)).toThrow(/FunctionName/);
    const build = { Resource: "arn:aws:states:::codebuild:startBuild.sync" };
    expect(() => collectTaskStates(oneTask({ ...build, Parameters: {} }))).toThrow(/ProjectName/);
    const project = oneTask({ ...build, Parameters: { ProjectName: "p" } });
    expect(collectTaskStates(project).get("T")).toMatchObject({ kind: "startBuildSync" });
    const pathTimeout = oneTask({
      Resource: "arn:aws:states:::lambda:invoke",
      TimeoutSecondsPath: "$.t",
    });
    expect(() => collectTaskStates(pathTimeout)).toThrow(/TimeoutSecondsPath/);
  });

  it("gives every Task a timeout a Node timer can hold, and can start anywhere", () => {
    const copy = runDefinition(product, {
      timerLimitSeconds: MAX_TIMER_SECONDS,
      startAt: "ReviewGate",
      startStateTimeoutSeconds: 10.2,
    });
    expect(copy.StartAt).toBe("ReviewGate");
    expect(copy.States.PlanGate!.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(copy.States.ReviewGate!.TimeoutSeconds).toBe(11);
    expect(copy.States.Architect!.TimeoutSeconds).toBe(900);
    expect(copy.States.Complete!.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(product.StartAt).toBe("FirstStage"); // the original is untouched
    expect(MAX_TIMER_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});
