import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type {
  ExecutionRecord,
  PendingWait,
} from "../../../../src/aws/stepfunctions/ExecutionStore";
import { WaitRearming } from "../../../../src/aws/stepfunctions/WaitRearming";

const LIMIT_SECONDS = 10;

function waitFor(seconds: number): { record: ExecutionRecord; wait: PendingWait } {
  const wait: PendingWait = {
    state: "Gate",
    token: "t",
    deadline: Date.now() + seconds * 1000,
    invoked: true,
  };
  const record: ExecutionRecord = {
    executionArn: "arn",
    name: "n",
    input: "{}",
    status: "RUNNING",
    startDate: Date.now(),
    wait,
  };
  return { record, wait };
}

describe("WaitRearming", () => {
  let rearmed: ExecutionRecord[];
  let rearming: WaitRearming;
  beforeEach(() => {
    vi.useFakeTimers();
    rearmed = [];
    rearming = new WaitRearming(LIMIT_SECONDS, (record) => rearmed.push(record));
  });
  afterEach(() => vi.useRealTimers());

  it("leaves a wait that one timer can hold alone", () => {
    const { record, wait } = waitFor(LIMIT_SECONDS);
    rearming.schedule({ cancelled: false }, record, wait);
    vi.advanceTimersByTime(LIMIT_SECONDS * 1000);
    expect(rearmed).toEqual([]);
  });

  it("re-arms a longer wait halfway through the timer's limit", () => {
    const { record, wait } = waitFor(LIMIT_SECONDS * 3);
    rearming.schedule({ cancelled: false }, record, wait);
    vi.advanceTimersByTime((LIMIT_SECONDS * 1000) / 2 - 1);
    expect(rearmed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(rearmed).toEqual([record]);
  });

  it("does not re-arm a wait that was settled, replaced or whose run ended", () => {
    const owner = { cancelled: false };
    const settled = waitFor(LIMIT_SECONDS * 3);
    rearming.schedule(owner, settled.record, settled.wait);
    settled.wait.outcome = { output: "{}" };

    const replaced = waitFor(LIMIT_SECONDS * 3);
    rearming.schedule({ cancelled: false }, replaced.record, replaced.wait);
    replaced.record.wait = undefined;

    const cancelledOwner = { cancelled: false };
    const cancelled = waitFor(LIMIT_SECONDS * 3);
    rearming.schedule(cancelledOwner, cancelled.record, cancelled.wait);
    cancelledOwner.cancelled = true;

    const forgotten = waitFor(LIMIT_SECONDS * 3);
    const forgottenOwner = { cancelled: false };
    rearming.schedule(forgottenOwner, forgotten.record, forgotten.wait);
    rearming.cancel(forgottenOwner);

    vi.advanceTimersByTime(LIMIT_SECONDS * 1000);
    expect(rearmed).toEqual([]);
  });

  it("keeps one pending re-arm per run", () => {
    const owner = { cancelled: false };
    const first = waitFor(LIMIT_SECONDS * 3);
    rearming.schedule(owner, first.record, first.wait);
    const second = waitFor(LIMIT_SECONDS * 3);
    rearming.schedule(owner, second.record, second.wait);
    vi.advanceTimersByTime(LIMIT_SECONDS * 1000);
    expect(rearmed).toEqual([second.record]);
  });
});
