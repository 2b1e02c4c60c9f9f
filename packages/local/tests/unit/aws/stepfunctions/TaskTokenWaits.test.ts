import { describe, expect, it } from "vitest";
import { AwsServiceError } from "../../../../src/aws/protocol/AwsServiceError";
import type { ExecutionRecord } from "../../../../src/aws/stepfunctions/ExecutionStore";
import { RunCancelled, TaskFailure } from "../../../../src/aws/stepfunctions/taskErrors";
import { isWellFormedTaskToken, mintTaskToken } from "../../../../src/aws/stepfunctions/taskTokens";
import { deliverOutcome, TaskTokenWaits } from "../../../../src/aws/stepfunctions/TaskTokenWaits";

const ARN = "arn:aws:states:us-east-1:123456789012:execution:test:one";
const TOP_LEVEL = { timeoutSeconds: 60, topLevel: true };

function setUp() {
  const record: ExecutionRecord = {
    executionArn: ARN,
    name: "one",
    input: "{}",
    status: "RUNNING",
    startDate: Date.now(),
  };
  const records = new Map([[ARN, record]]);
  const persisted: string[] = [];
  const waits = new TaskTokenWaits(records, () => persisted.push(JSON.stringify(record)));
  const owner = { cancelled: false };
  return { record, waits, owner, persisted };
}

function refusal(action: () => void): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof AwsServiceError) return error.type;
    throw error;
  }
  return undefined;
}

describe("TaskTokenWaits", () => {
  it("persists a top-level wait with a fresh token and its deadline before anyone can send it", () => {
    const { record, waits, owner, persisted } = setUp();
    const before = Date.now();
    const { wait } = waits.open(record, owner, "Gate", TOP_LEVEL);
    expect(isWellFormedTaskToken(wait.token)).toBe(true);
    expect(wait.deadline).toBeGreaterThanOrEqual(before + 60_000);
    expect(record.wait).toBe(wait);
    expect(JSON.parse(persisted.at(-1)!).wait).toMatchObject({ state: "Gate", invoked: false });
  });

  it("does not persist a nested wait: it restarts with its container", async () => {
    const { record, waits, owner, persisted } = setUp();
    const { wait, result } = waits.open(record, owner, "Inner", { ...TOP_LEVEL, topLevel: false });
    expect(record.wait).toBeUndefined();
    expect(persisted).toHaveLength(0);
    waits.succeed({ taskToken: wait.token, output: '{"n":1}' });
    await expect(result).resolves.toEqual({ n: 1 });
  });

  it("resolves SendTaskSuccess's output and records the outcome before delivering it", async () => {
    const { record, waits, owner, persisted } = setUp();
    const { wait, result } = waits.open(record, owner, "Gate", TOP_LEVEL);
    waits.succeed({ taskToken: wait.token, output: '{"approved":true}' });
    await expect(result).resolves.toEqual({ approved: true });
    expect(JSON.parse(persisted.at(-1)!).wait.outcome).toEqual({ output: '{"approved":true}' });
    // The token is used: a second send names no task.
    expect(refusal(() => waits.succeed({ taskToken: wait.token, output: "{}" }))).toBe(
      "TaskDoesNotExist",
    );
  });

  it("rejects with SendTaskFailure's error and cause", async () => {
    const { record, waits, owner } = setUp();
    const { wait, result } = waits.open(record, owner, "Gate", TOP_LEVEL);
    waits.fail({ taskToken: wait.token, error: "Rejected", cause: "no" });
    const failure = await result.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TaskFailure);
    expect(failure).toMatchObject({ name: "Rejected", message: "no" });
    expect(record.wait?.outcome).toEqual({ error: "Rejected", cause: "no" });
  });

  it("refuses a malformed token, an unknown one, bad output, and checks heartbeats", () => {
    const { record, waits, owner } = setUp();
    const { wait } = waits.open(record, owner, "Gate", TOP_LEVEL);
    expect(refusal(() => waits.heartbeat({ taskToken: "short" }))).toBe("InvalidToken");
    expect(refusal(() => waits.heartbeat({ taskToken: mintTaskToken() }))).toBe("TaskDoesNotExist");
    expect(refusal(() => waits.succeed({ taskToken: wait.token, output: "{" }))).toBe(
      "InvalidOutput",
    );
    expect(refusal(() => waits.heartbeat({ taskToken: wait.token }))).toBeUndefined();
    expect(record.wait?.outcome).toBeUndefined();
  });

  it("ends a cancelled run's waits, but keeps the persisted wait so a resumed run delivers its outcome", async () => {
    const { record, waits, owner } = setUp();
    const { wait, result } = waits.open(record, owner, "Gate", TOP_LEVEL);
    waits.cancel(owner);
    await expect(result).rejects.toBeInstanceOf(RunCancelled);
    // No run waits on it now (a restart), yet the token is accepted and its outcome kept.
    waits.succeed({ taskToken: wait.token, output: '"later"' });
    expect(record.wait?.outcome).toEqual({ output: '"later"' });
    expect(deliverOutcome(record.wait!.outcome!)).toBe("later");
    expect(() => deliverOutcome({ error: "E", cause: "C" })).toThrow(TaskFailure);
  });

  it("resumes a persisted wait with its own token", async () => {
    const { record, waits, owner } = setUp();
    const persistedWait = {
      state: "Gate",
      token: mintTaskToken(),
      deadline: Date.now() + 5_000,
      invoked: true,
    };
    const { wait, result } = waits.open(record, owner, "Gate", TOP_LEVEL, persistedWait);
    expect(wait).toBe(persistedWait);
    waits.succeed({ taskToken: persistedWait.token, output: "1" });
    await expect(result).resolves.toBe(1);
  });

  it("marks the wait invoked, unless its run was cancelled meanwhile", () => {
    const { record, waits, owner } = setUp();
    const { wait } = waits.open(record, owner, "Gate", TOP_LEVEL);
    waits.markInvoked(record, { cancelled: true }, wait);
    expect(wait.invoked).toBe(false);
    waits.markInvoked(record, owner, wait);
    expect(record.wait?.invoked).toBe(true);
  });

  it("fails the task on a function error only while the token is unused", () => {
    const { record, waits, owner } = setUp();
    const first = waits.open(record, owner, "Gate", TOP_LEVEL);
    expect(waits.invocationFailed(record, owner, first.wait)).toBe(true);
    expect(record.wait).toBeUndefined();
    expect(refusal(() => waits.heartbeat({ taskToken: first.wait.token }))).toBe(
      "TaskDoesNotExist",
    );

    const second = waits.open(record, owner, "Gate", TOP_LEVEL);
    waits.succeed({ taskToken: second.wait.token, output: "{}" });
    expect(waits.invocationFailed(record, owner, second.wait)).toBe(false);
    expect(record.wait?.outcome).toEqual({ output: "{}" });
  });

  it("lets a timed-out wait's token die, but keeps a settled wait's outcome", () => {
    const { record, waits, owner } = setUp();
    const open = waits.open(record, owner, "Gate", TOP_LEVEL);
    waits.expire(record, "Other");
    expect(record.wait).toBe(open.wait);
    waits.expire(record, "Gate");
    expect(record.wait).toBeUndefined();
    expect(refusal(() => waits.heartbeat({ taskToken: open.wait.token }))).toBe("TaskDoesNotExist");

    const settled = waits.open(record, owner, "Gate", TOP_LEVEL);
    waits.succeed({ taskToken: settled.wait.token, output: "{}" });
    waits.expire(record, "Gate");
    expect(record.wait?.outcome).toEqual({ output: "{}" });
  });
});
