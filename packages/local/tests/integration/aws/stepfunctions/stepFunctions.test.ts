import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AslDefinition } from "../../../../src/aws/stepfunctions/aslDefinition";
import { readExecutions } from "../../../../src/aws/stepfunctions/ExecutionStore";
import { StepFunctionsEmulator } from "../../../../src/aws/stepfunctions/StepFunctionsEmulator";
import { eventually } from "../../../support/eventually";
import { sfn } from "../../../support/sdk";
import {
  startStepFunctions,
  STATE_MACHINE_ARN,
  type HarnessOptions,
  type StepFunctionsHarness,
} from "../../../support/stepFunctionsHarness";
import { tempDir } from "../../../support/tempDir";

const INVOKE = "arn:aws:states:::lambda:invoke";

/** The executions as persisted: one JSON file each. */
const WAIT_FOR_TOKEN = "arn:aws:states:::lambda:invoke.waitForTaskToken";
const THIRTY_DAYS = 30 * 24 * 60 * 60;

/** Prepare (Lambda) → Approve (token wait, 30 days) → Done; a "Rejected" failure is caught. */
function approvalDefinition(approveTimeoutSeconds = THIRTY_DAYS): AslDefinition {
  return {
    StartAt: "Prepare",
    States: {
      Prepare: {
        Type: "Task",
        Resource: INVOKE,
        Parameters: { FunctionName: "prepare", Payload: { "id.$": "$.id" } },
        ResultSelector: { "prepared.$": "$.Payload.prepared" },
        ResultPath: "$.prep",
        Next: "Approve",
      },
      Approve: {
        Type: "Task",
        Resource: WAIT_FOR_TOKEN,
        Parameters: {
          FunctionName: "ask",
          Payload: {
            "id.$": "$.id",
            "taskToken.$": "$$.Task.Token",
            nested: { "again.$": "$$.Task.Token" },
          },
        },
        TimeoutSeconds: approveTimeoutSeconds,
        ResultPath: "$.decision",
        Catch: [
          { ErrorEquals: ["Rejected"], ResultPath: "$.rejection", Next: "WasRejected" },
          { ErrorEquals: ["States.Timeout"], ResultPath: "$.timeout", Next: "TimedOut" },
        ],
        Next: "Done",
      },
      Done: { Type: "Succeed" },
      WasRejected: { Type: "Pass", End: true },
      TimedOut: { Type: "Pass", End: true },
    },
  };
}

const approvalFunctions = {
  prepare: () => ({ prepared: "yes" }),
  ask: () => ({ asked: true }),
};

describe("StepFunctionsEmulator through SFNClient", () => {
  let dir: ReturnType<typeof tempDir>;
  let harnesses: StepFunctionsHarness[];

  beforeEach(() => {
    dir = tempDir("sfn");
    harnesses = [];
  });
  afterEach(async () => {
    for (const harness of harnesses) await harness.stop();
    dir.remove();
  });

  async function start(options: Partial<HarnessOptions> = {}) {
    const harness = await startStepFunctions({
      definition: approvalDefinition(),
      functions: approvalFunctions,
      stateDirectory: join(dir.path, "sfn"),
      retryIntervalOverride: 1,
      ...options,
    });
    harnesses.push(harness);
    return harness;
  }

  it("waits at a waitForTaskToken task until SendTaskSuccess, with a fresh token in the payload", async () => {
    const h = await start();
    const arn = await h.start("approve-1", { id: "w1" });
    expect(arn).toBe("arn:aws:states:us-east-1:123456789012:execution:test:approve-1");

    const token = await h.tokenFor("ask");
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const ask = h.calls.find((c) => c.name === "ask");
    expect(ask?.payload).toEqual({ id: "w1", taskToken: token, nested: { again: token } });

    // A 30-day timeout overflows a Node timer (which then fires at once) unless clamped.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await h.describe(arn)).status).toBe("RUNNING");
    await h.client.send(new sfn.SendTaskHeartbeatCommand({ taskToken: token }));

    await h.client.send(
      new sfn.SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }),
    );
    const done = await h.untilStatus(arn, "SUCCEEDED");
    expect(JSON.parse(done.output ?? "")).toEqual({
      id: "w1",
      prep: { prepared: "yes" },
      decision: { approved: true },
    });
    expect(done.input).toBe('{"id":"w1"}');
    expect(done.startDate).toBeInstanceOf(Date);
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());

    const reuse = new sfn.SendTaskSuccessCommand({ taskToken: token, output: "{}" });
    await expect(h.client.send(reuse)).rejects.toBeInstanceOf(sfn.TaskDoesNotExist);
    const malformed = new sfn.SendTaskSuccessCommand({ taskToken: "not-a-token", output: "{}" });
    await expect(h.client.send(malformed)).rejects.toBeInstanceOf(sfn.InvalidToken);
  });

  it("routes SendTaskFailure to a matching Catch, and fails the execution when none matches", async () => {
    const h = await start();
    const caughtArn = await h.start("reject-1", { id: "w1" });
    const first = await h.tokenFor("ask", 0);
    await h.client.send(
      new sfn.SendTaskFailureCommand({
        taskToken: first,
        error: "Rejected",
        cause: "not convinced",
      }),
    );
    const caught = await h.untilStatus(caughtArn, "SUCCEEDED");
    expect(JSON.parse(caught.output ?? "").rejection).toEqual({
      Error: "Rejected",
      Cause: "not convinced",
    });

    const failedArn = await h.start("reject-2", { id: "w2" });
    const second = await h.tokenFor("ask", 1);
    await h.client.send(
      new sfn.SendTaskFailureCommand({ taskToken: second, error: "Other", cause: "why" }),
    );
    const failed = await h.untilStatus(failedArn, "FAILED");
    expect(failed).toMatchObject({ error: "Other", cause: "why" });
  });

  it("aborts a waiting execution with StopExecution, after which its token is gone", async () => {
    const h = await start();
    const arn = await h.start("stop-1", { id: "w1" });
    const token = await h.tokenFor("ask");

    await h.client.send(
      new sfn.StopExecutionCommand({ executionArn: arn, error: "Cancelled", cause: "user" }),
    );
    const stopped = await h.describe(arn);
    expect(stopped).toMatchObject({ status: "ABORTED", error: "Cancelled", cause: "user" });
    expect(stopped.stopDate).toBeInstanceOf(Date);

    const late = new sfn.SendTaskSuccessCommand({ taskToken: token, output: "{}" });
    await expect(h.client.send(late)).rejects.toBeInstanceOf(sfn.TaskDoesNotExist);
    const unknown = `${STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:")}:nope`;
    await expect(
      h.client.send(new sfn.StopExecutionCommand({ executionArn: unknown })),
    ).rejects.toBeInstanceOf(sfn.ExecutionDoesNotExist);
    await expect(h.describe(unknown)).rejects.toBeInstanceOf(sfn.ExecutionDoesNotExist);
  });

  it("retries a throwing Lambda task, then routes its error to Catch like a Lambda function error", async () => {
    class FlakyError extends Error {
      override name = "FlakyError";
    }
    const h = await start({
      definition: {
        StartAt: "Flaky",
        States: {
          Flaky: {
            Type: "Task",
            Resource: INVOKE,
            Parameters: { FunctionName: "flaky", "Payload.$": "$" },
            // 30 s between attempts on AWS; the override makes it 1 ms here.
            Retry: [
              { ErrorEquals: ["FlakyError"], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 2 },
            ],
            Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Recovered" }],
            End: true,
          },
          Recovered: { Type: "Pass", End: true },
        },
      },
      functions: {
        flaky: () => {
          throw new FlakyError("disk on fire");
        },
      },
    });
    const arn = await h.start("flaky-1", { n: 1 });
    const done = await h.untilStatus(arn, "SUCCEEDED");
    expect(h.calls.map((c) => c.name)).toEqual(["flaky", "flaky", "flaky"]);
    const output = JSON.parse(done.output ?? "");
    expect(output.error.Error).toBe("FlakyError");
    expect(JSON.parse(output.error.Cause)).toEqual({
      errorMessage: "disk on fire",
      errorType: "FlakyError",
    });
  });

  it("fails the execution with the Lambda error when nothing catches it", async () => {
    const h = await start({
      definition: {
        StartAt: "Boom",
        States: {
          Boom: { Type: "Task", Resource: INVOKE, Parameters: { FunctionName: "boom" }, End: true },
        },
      },
      functions: {
        boom: () => {
          throw new TypeError("bad input");
        },
      },
    });
    const arn = await h.start("boom-1", {});
    const failed = await h.untilStatus(arn, "FAILED");
    expect(failed.error).toBe("TypeError");
    expect(JSON.parse(failed.cause ?? "")).toEqual({
      errorMessage: "bad input",
      errorType: "TypeError",
    });
  });

  it("redrives a failed execution from the state it failed in, also after a restart", async () => {
    const stateDirectory = join(dir.path, "sfn");
    let healthy = false;
    const definition: AslDefinition = {
      StartAt: "First",
      States: {
        First: {
          Type: "Task",
          Resource: INVOKE,
          Parameters: { FunctionName: "first", Payload: { "n.$": "$.n" } },
          ResultSelector: { "value.$": "$.Payload" },
          ResultPath: "$.first",
          Next: "Second",
        },
        Second: {
          Type: "Task",
          Resource: INVOKE,
          Parameters: { FunctionName: "second", Payload: { "n.$": "$.n" } },
          ResultSelector: { "value.$": "$.Payload" },
          ResultPath: "$.second",
          End: true,
        },
      },
    };
    const functions = {
      first: () => "one",
      second: () => {
        if (!healthy) throw new Error("down");
        return "two";
      },
    };
    const first = await start({ stateDirectory, definition, functions });
    const arn = await first.start("redrive-1", { n: 1 });
    const failed = await first.untilStatus(arn, "FAILED");
    expect(failed).toMatchObject({ redriveStatus: "REDRIVABLE", redriveCount: 0 });
    await first.stop();
    harnesses = harnesses.filter((h) => h !== first);

    healthy = true;
    const second = await start({ stateDirectory, definition, functions });
    const redriven = await second.client.send(
      new sfn.RedriveExecutionCommand({ executionArn: arn }),
    );
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const done = await second.untilStatus(arn, "SUCCEEDED");
    expect(JSON.parse(done.output ?? "")).toEqual({
      n: 1,
      first: { value: "one" },
      second: { value: "two" },
    });
    // Only the failed state ran again, with the input it had.
    expect(second.calls).toEqual([{ name: "second", payload: { n: 1 } }]);
    expect(done).toMatchObject({ redriveCount: 1, redriveStatus: "NOT_REDRIVABLE" });
    await expect(
      second.client.send(new sfn.RedriveExecutionCommand({ executionArn: arn })),
    ).rejects.toBeInstanceOf(sfn.ExecutionNotRedrivable);
  });

  it("refuses a second execution with the same name unless it is an identical retry of a running one", async () => {
    const h = await start();
    const arn = await h.start("same", { id: "w1" });
    expect(await h.start("same", { id: "w1" })).toBe(arn);
    await expect(h.start("same", { id: "other" })).rejects.toBeInstanceOf(
      sfn.ExecutionAlreadyExists,
    );
    await h.client.send(new sfn.StopExecutionCommand({ executionArn: arn }));
    await expect(h.start("same", { id: "w1" })).rejects.toBeInstanceOf(sfn.ExecutionAlreadyExists);
    await expect(h.start("bad name!", {})).rejects.toBeInstanceOf(sfn.InvalidName);
    const badInput = new sfn.StartExecutionCommand({
      stateMachineArn: STATE_MACHINE_ARN,
      input: "{oops",
    });
    await expect(h.client.send(badInput)).rejects.toBeInstanceOf(sfn.InvalidExecutionInput);
  });

  it("times out a wait after its TimeoutSeconds with States.Timeout", async () => {
    const h = await start({ definition: approvalDefinition(1) });
    const arn = await h.start("timeout-1", { id: "w1" });
    const token = await h.tokenFor("ask");
    const done = await h.untilStatus(arn, "SUCCEEDED");
    expect(JSON.parse(done.output ?? "").timeout.Error).toBe("States.Timeout");
    const late = new sfn.SendTaskSuccessCommand({ taskToken: token, output: "{}" });
    await expect(h.client.send(late)).rejects.toBeInstanceOf(sfn.TaskDoesNotExist);
  });

  it("keeps a wait longer than one timer alive by re-arming it with the same token", async () => {
    const h = await start({ timerLimitSeconds: 1 });
    const arn = await h.start("long-1", { id: "w1" });
    const token = await h.tokenFor("ask");
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await h.describe(arn)).status).toBe("RUNNING");
    expect(h.calls.filter((c) => c.name === "ask")).toHaveLength(1);
    await h.client.send(new sfn.SendTaskSuccessCommand({ taskToken: token, output: '{"ok":1}' }));
    await h.untilStatus(arn, "SUCCEEDED");
  });

  it("resumes a waiting execution after a restart with the same token, given to its function again", async () => {
    const stateDirectory = join(dir.path, "sfn");
    const first = await start({ stateDirectory });
    const arn = await first.start("restart-1", { id: "w1" });
    const token = await first.tokenFor("ask");
    await eventually(() => {
      expect(readExecutions(stateDirectory)[0]?.wait).toMatchObject({
        state: "Approve",
        token,
        invoked: true,
      });
    });
    await first.stop();
    harnesses = harnesses.filter((h) => h !== first);

    // Whatever the function gave the token to may have stopped with the process: it gets the
    // same token again, before the restored emulator is started (and can be sent a decision).
    const second = await start({ stateDirectory });
    expect(second.calls).toEqual([
      { name: "ask", payload: { id: "w1", taskToken: token, nested: { again: token } } },
    ]);
    expect((await second.describe(arn)).status).toBe("RUNNING");
    await second.client.send(
      new sfn.SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }),
    );
    const done = await second.untilStatus(arn, "SUCCEEDED");
    expect(JSON.parse(done.output ?? "")).toEqual({
      id: "w1",
      prep: { prepared: "yes" },
      decision: { approved: true },
    });
    expect(second.calls.map((call) => call.name)).toEqual(["ask"]);

    // Finished executions stay describable after another restart.
    await second.stop();
    harnesses = harnesses.filter((h) => h !== second);
    const third = await start({ stateDirectory });
    expect((await third.describe(arn)).status).toBe("SUCCEEDED");
  });

  it("moves the executions of an earlier version's single state file over, and resumes them", async () => {
    const stateDirectory = join(dir.path, "sfn");
    const first = await start({ stateDirectory });
    const arn = await first.start("legacy-1", { id: "w1" });
    const token = await first.tokenFor("ask");
    await eventually(() => expect(readExecutions(stateDirectory)[0]?.wait?.invoked).toBe(true));
    await first.stop();
    harnesses = harnesses.filter((h) => h !== first);
    // As an earlier version left it: every execution in one file, no directory.
    const legacyStateFile = join(dir.path, "executions.json");
    writeFileSync(
      legacyStateFile,
      JSON.stringify({ version: 1, executions: readExecutions(stateDirectory) }),
    );
    rmSync(stateDirectory, { recursive: true });

    const second = await start({ stateDirectory, legacyStateFile });
    expect((await second.describe(arn)).status).toBe("RUNNING");
    expect(readdirSync(dir.path)).not.toContain("executions.json");
    expect(readExecutions(stateDirectory).map((r) => r.executionArn)).toEqual([arn]);
    await second.client.send(
      new sfn.SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }),
    );
    await second.untilStatus(arn, "SUCCEEDED");
  });

  it("accepts a decision that arrives while a restored wait is still being re-armed", async () => {
    const stateDirectory = join(dir.path, "sfn");
    const first = await start({ stateDirectory });
    const arn = await first.start("restart-2", { id: "w1" });
    const token = await first.tokenFor("ask");
    await eventually(() => {
      expect(readExecutions(stateDirectory)[0]?.wait).toMatchObject({ token, invoked: true });
    });
    await first.stop();
    harnesses = harnesses.filter((h) => h !== first);

    const emulator = new StepFunctionsEmulator({
      definition: approvalDefinition(),
      stateMachineArn: STATE_MACHINE_ARN,
      stateDirectory,
      invokeFunction: async (name) => {
        throw new Error(`${name} must not be invoked again`);
      },
    });
    try {
      const restored = emulator.restore();
      // Synchronously after restore(): the resumed run has not reached its wait yet, and with its
      // outcome there, it need not give the function the token again.
      await emulator.handle("SendTaskSuccess", { taskToken: token, output: '{"approved":true}' });
      await restored;
      await eventually(async () => {
        const described = (await emulator.handle("DescribeExecution", { executionArn: arn })) as {
          status: string;
          output: string;
        };
        expect(described.status).toBe("SUCCEEDED");
        expect(JSON.parse(described.output).decision).toEqual({ approved: true });
      });
    } finally {
      await emulator.close();
    }
  });

  it("re-runs a Lambda task that was in flight when the runtime stopped (at least once)", async () => {
    const stateDirectory = join(dir.path, "sfn");
    const definition: AslDefinition = {
      StartAt: "Init",
      States: {
        Init: { Type: "Pass", Result: { step: 1 }, ResultPath: "$.init", Next: "Slow" },
        Slow: {
          Type: "Task",
          Resource: INVOKE,
          Parameters: { FunctionName: "slow", "Payload.$": "$" },
          OutputPath: "$.Payload",
          End: true,
        },
      },
    };
    const first = await start({
      stateDirectory,
      definition,
      functions: { slow: () => new Promise(() => {}) },
    });
    const arn = await first.start("inflight-1", { id: "w1" });
    await eventually(() => expect(first.calls).toHaveLength(1));
    await first.stop();
    harnesses = harnesses.filter((h) => h !== first);

    const second = await start({
      stateDirectory,
      definition,
      functions: { slow: (p) => ({ done: p }) },
    });
    const done = await second.untilStatus(arn, "SUCCEEDED");
    expect(second.calls).toEqual([{ name: "slow", payload: { id: "w1", init: { step: 1 } } }]);
    expect(JSON.parse(done.output ?? "")).toEqual({ done: { id: "w1", init: { step: 1 } } });
  });
});
