import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildspecFor, planOf } from "@amelia/core/checks/buildspec";
import { parseResults } from "@amelia/core/checks/checkResults";
import type { TaskFunction } from "@amelia/core/definitions/functions";
import { executionArnFor } from "@amelia/core/definitions/stateMachine";
import { sfn } from "../../../support/sdk";
import {
  startStepFunctions,
  STATE_MACHINE_ARN,
  type FakeFunction,
  type StepFunctionsHarness,
} from "../../../support/stepFunctionsHarness";
import { startCodeBuild, type CodeBuildHarness } from "../../../support/codeBuildHarness";
import { productDefinition } from "../../../support/productDefinition";
import { tempDir } from "../../../support/tempDir";

/** The product's own state machine, run with fake functions. */
describe("the product workflow definition", () => {
  let dir: ReturnType<typeof tempDir>;
  let harness: StepFunctionsHarness | undefined;
  let codeBuild: CodeBuildHarness;

  beforeEach(async () => {
    dir = tempDir("workflow");
    codeBuild = await startCodeBuild(dir.path);
  });
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
    await codeBuild.stop();
    dir.remove();
  });

  async function run(functions: Partial<Record<TaskFunction, FakeFunction>>) {
    harness = await startStepFunctions({
      definition: productDefinition(),
      stateDirectory: join(dir.path, "sfn"),
      retryIntervalOverride: 1,
      codeBuild: codeBuild.emulator,
      functions: {
        architect: () => ({ budget: false }),
        gate: () => undefined,
        developer: () => ({ done: true, budget: false }),
        // No checks unless a test has some: the round goes straight to the reviewer.
        prepareChecks: () => ({ run: null }),
        reviewer: () => ({ approved: true, atCap: false, budget: false }),
        finish: () => undefined,
        halt: () => {
          throw Object.assign(new Error("The workflow failed"), { name: "WorkflowFailed" });
        },
        ...functions,
      },
    });
    return harness;
  }

  async function decide(h: StepFunctionsHarness, gateCall: number, approved: boolean) {
    const token = await h.tokenFor("gate", gateCall);
    const output = JSON.stringify({ approved });
    await h.client.send(new sfn.SendTaskSuccessCommand({ taskToken: token, output }));
  }

  it("runs plan approval → developer → approving reviewer → Complete", async () => {
    const h = await run({});
    const arn = await h.start("wf-1", { workflowId: "wf-1" });
    expect(arn).toBe(executionArnFor(STATE_MACHINE_ARN, "wf-1"));

    await decide(h, 0, true);
    const done = await h.untilStatus(arn, "SUCCEEDED");

    expect(h.calls).toEqual([
      { name: "architect", payload: { workflowId: "wf-1" } },
      {
        name: "gate",
        payload: { workflowId: "wf-1", gate: "plan", taskToken: expect.any(String) },
      },
      { name: "developer", payload: { workflowId: "wf-1" } },
      { name: "prepareChecks", payload: { workflowId: "wf-1" } },
      { name: "reviewer", payload: { workflowId: "wf-1" } },
      { name: "finish", payload: { workflowId: "wf-1", outcome: "completed" } },
    ]);
    expect(JSON.parse(done.output ?? "")).toEqual({
      workflowId: "wf-1",
      architect: { budget: false },
      decision: { approved: true },
      developer: { done: true, budget: false },
      verify: { run: null },
      review: { approved: true, atCap: false, budget: false },
    });
  });

  it("loops on a rejected plan and on review rounds, through the review gate at the cap", async () => {
    const reviews = [
      { approved: false, atCap: false, budget: false },
      { approved: false, atCap: true, budget: false },
    ];
    const h = await run({ reviewer: () => reviews.shift() });
    const arn = await h.start("wf-2", { workflowId: "wf-2" });

    await decide(h, 0, false); // plan rejected: back to the architect
    await decide(h, 1, true);
    await decide(h, 2, true); // review gate, reached at the cap
    await h.untilStatus(arn, "SUCCEEDED");

    expect(h.calls.map((c) => c.name)).toEqual([
      "architect",
      "gate",
      "architect",
      "gate",
      "developer",
      "prepareChecks",
      "reviewer",
      "developer",
      "prepareChecks",
      "reviewer",
      "gate",
      "finish",
    ]);
    expect(h.calls.filter((c) => c.name === "gate").map((c) => c.payload.gate)).toEqual([
      "plan",
      "plan",
      "review",
    ]);
    const tokens = new Set(h.calls.map((c) => c.payload.taskToken).filter(Boolean));
    expect(tokens.size).toBe(3); // a fresh token at every wait
  });

  it("invokes the developer again while it reports more to do", async () => {
    const progress = [
      { done: false, budget: false },
      { done: false, budget: false },
      { done: true, budget: false },
    ];
    const h = await run({ developer: () => progress.shift() });
    const arn = await h.start("wf-loop", { workflowId: "wf-loop" });
    await decide(h, 0, true);
    await h.untilStatus(arn, "SUCCEEDED");
    expect(h.calls.map((c) => c.name)).toEqual([
      "architect",
      "gate",
      "developer",
      "developer",
      "developer",
      "prepareChecks",
      "reviewer",
      "finish",
    ]);
  });

  it("stops a stage at the budget gate and, given more budget, runs the same stage again", async () => {
    const progress = [
      { done: false, budget: true },
      { done: true, budget: false },
    ];
    const h = await run({ developer: () => progress.shift() });
    const arn = await h.start("wf-budget", { workflowId: "wf-budget" });
    await decide(h, 0, true); // the plan
    await decide(h, 1, true); // more budget
    await h.untilStatus(arn, "SUCCEEDED");
    expect(h.calls.map((c) => c.name)).toEqual([
      "architect",
      "gate",
      "developer",
      "gate",
      "developer",
      "prepareChecks",
      "reviewer",
      "finish",
    ]);
    expect(h.calls.filter((c) => c.name === "gate").map((c) => c.payload.gate)).toEqual([
      "plan",
      "budget",
    ]);
  });

  it("records a failing agent after its retries, then fails in Halted", async () => {
    const h = await run({
      developer: () => {
        throw new Error("agent crashed");
      },
    });
    const arn = await h.start("wf-3", { workflowId: "wf-3" });
    await decide(h, 0, true);
    const failed = await h.untilStatus(arn, "FAILED");

    expect(failed).toMatchObject({ error: "WorkflowFailed", redriveStatus: "REDRIVABLE" });
    expect(JSON.parse(failed.cause ?? "")).toEqual({
      errorMessage: "The workflow failed",
      errorType: "WorkflowFailed",
    });
    expect(h.calls.filter((c) => c.name === "developer")).toHaveLength(3);
    const finish = h.calls.find((c) => c.name === "finish");
    expect(finish?.payload).toMatchObject({
      workflowId: "wf-3",
      outcome: "failed",
      error: { Error: "Error" },
    });
    expect(JSON.parse((finish?.payload.error as { Cause: string }).Cause)).toEqual({
      errorMessage: "agent crashed",
      errorType: "Error",
    });
  });

  it("does not retry a permanent agent error", async () => {
    const h = await run({
      reviewer: () => {
        throw Object.assign(new Error("The Anthropic API refused the request"), {
          name: "PermanentAgentError",
        });
      },
    });
    const arn = await h.start("wf-permanent", { workflowId: "wf-permanent" });
    await decide(h, 0, true);
    await h.untilStatus(arn, "FAILED");
    expect(h.calls.filter((c) => c.name === "reviewer")).toHaveLength(1);
  });

  it("resumes a failed execution with a redrive: Halted lets it through to the failed state", async () => {
    let developerCalls = 0;
    let resumed = false;
    const h = await run({
      developer: () => {
        developerCalls += 1;
        if (!resumed) throw new Error("model unavailable");
        return { done: true, budget: false };
      },
      halt: () => {
        if (!resumed) throw Object.assign(new Error("failed"), { name: "WorkflowFailed" });
      },
    });
    const arn = await h.start("wf-redrive", { workflowId: "wf-redrive" });
    await decide(h, 0, true);
    await h.untilStatus(arn, "FAILED");
    const before = h.calls.length;

    resumed = true;
    await h.client.send(new sfn.RedriveExecutionCommand({ executionArn: arn }));
    const done = await h.untilStatus(arn, "SUCCEEDED");
    expect(done.redriveCount).toBe(1);
    // Nothing before the failure ran again: the redrive started at Halted.
    expect(h.calls.slice(before).map((c) => c.name)).toEqual([
      "halt",
      "developer",
      "prepareChecks",
      "reviewer",
      "finish",
    ]);
    expect(developerCalls).toBe(4);
    await expect(
      h.client.send(new sfn.RedriveExecutionCommand({ executionArn: arn })),
    ).rejects.toBeInstanceOf(sfn.ExecutionNotRedrivable);
  });

  describe("verifies a finished round in a build of the local CodeBuild", () => {
    const config = {
      setup: ["echo set up"],
      checks: [
        { name: "passes", run: "echo fine" },
        { name: "fails", run: "echo broken >&2; exit 3" },
      ],
      timeoutSeconds: 60,
      setupNetwork: [],
    };

    it("runs the checks' buildspec, and RecordChecks gets the build that ran them", async () => {
      const sourceLocation = await codeBuild.source("sources/wf-checks-1.zip", { "a.txt": "a" });
      const checksRun = {
        runId: "wf-checks-1",
        sourceLocation,
        buildspec: buildspecFor(planOf(config)),
      };
      const h = await run({
        prepareChecks: () => ({ run: checksRun }),
        recordChecks: () => ({ passed: true, atCap: false }),
      });
      const arn = await h.start("wf-checks", { workflowId: "wf-checks" });
      await decide(h, 0, true);
      await h.untilStatus(arn, "SUCCEEDED");

      expect(h.calls.map((c) => c.name)).toEqual([
        "architect",
        "gate",
        "developer",
        "prepareChecks",
        "recordChecks",
        "reviewer",
        "finish",
      ]);
      const record = h.calls.find((c) => c.name === "recordChecks")!;
      expect(record.payload).toEqual({
        workflowId: "wf-checks",
        runId: "wf-checks-1",
        build: { id: expect.stringMatching(/^amelia-checks:/), status: "SUCCEEDED" },
      });
      const results = parseResults((await codeBuild.object("results/wf-checks-1/results.json"))!);
      expect(results.map(({ name, exitCode }) => ({ name, exitCode }))).toEqual([
        { name: "passes", exitCode: 0 },
        { name: "fails", exitCode: 3 },
      ]);
      expect(await codeBuild.object(`results/wf-checks-1/${results[1]!.logFile}`)).toBe("broken\n");
    });

    it("retries a build that could not run, then gives RecordChecks the failure", async () => {
      const missing = {
        runId: "wf-checks-2",
        sourceLocation: "amelia-checks/sources/missing.zip",
        buildspec: buildspecFor(planOf(config)),
      };
      const h = await run({
        prepareChecks: () => ({ run: missing }),
        recordChecks: () => ({ passed: false, atCap: true }),
      });
      const arn = await h.start("wf-checks-2", { workflowId: "wf-checks-2" });
      await decide(h, 0, true); // the plan
      await decide(h, 1, true); // the review gate, the checks at their cap
      await h.untilStatus(arn, "SUCCEEDED");
      const record = h.calls.find((c) => c.name === "recordChecks")!;
      const build = record.payload.build as { Error: string; Cause: string };
      expect(build.Error).toBe("States.TaskFailed");
      expect(JSON.parse(build.Cause)).toMatchObject({ Build: { BuildStatus: "FAILED" } });
      expect(h.calls.map((c) => c.name)).not.toContain("reviewer");
    });
  });
});
