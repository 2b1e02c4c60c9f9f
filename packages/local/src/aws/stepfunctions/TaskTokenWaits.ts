import { optionalString, parseJson, requiredString } from "../protocol/apiInput";
import { AwsServiceError } from "../protocol/AwsServiceError";
import type { ExecutionRecord, PendingWait } from "./ExecutionStore";
import { withResolvers } from "./promiseWithResolvers";
import { RunCancelled, TaskFailure } from "./taskErrors";
import { isWellFormedTaskToken, mintTaskToken } from "./taskTokens";

/** The interpreter run a wait belongs to: once it is cancelled, its waits end with it. */
export interface WaitOwner {
  readonly cancelled: boolean;
}

interface Waiter {
  executionArn: string;
  owner: WaitOwner;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

/** The wait a SendTask* token names: a live waiter, a persisted wait, or both. */
interface OpenTask {
  token: string;
  waiter?: Waiter;
  record?: ExecutionRecord;
}

export interface TaskWait {
  wait: PendingWait;
  /** Resolves with SendTaskSuccess's output, rejects with SendTaskFailure's error. */
  result: Promise<unknown>;
}

/**
 * The waitForTaskToken waits of every execution: the live waiter each token settles, and the
 * wait persisted on the execution's record, which outlives a restart — a token sent while no run
 * is waiting on it is recorded there, and the resumed run delivers it.
 */
export class TaskTokenWaits {
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    private readonly records: ReadonlyMap<string, ExecutionRecord>,
    private readonly persist: (record: ExecutionRecord) => void,
  ) {}

  /**
   * Waits in `state` with a fresh token, or with the token of the persisted wait being resumed.
   * Only a top-level state's wait is persisted: a nested one restarts with its container.
   */
  open(
    record: ExecutionRecord,
    owner: WaitOwner,
    state: string,
    task: { timeoutSeconds: number; topLevel: boolean },
    resumed?: PendingWait,
  ): TaskWait {
    const wait: PendingWait = resumed ?? {
      state,
      token: mintTaskToken(),
      deadline: Date.now() + task.timeoutSeconds * 1000,
      invoked: false,
    };
    const { promise, resolve, reject } = withResolvers<unknown>();
    promise.catch(() => undefined); // settled before the caller awaits it must not count as unhandled
    this.waiters.set(wait.token, { executionArn: record.executionArn, owner, resolve, reject });
    if (task.topLevel) {
      record.wait = wait;
      this.persist(record);
    }
    return { wait, result: promise };
  }

  /** The function has received the token: a resumed run must not invoke it again. */
  markInvoked(record: ExecutionRecord, owner: WaitOwner, wait: PendingWait): void {
    if (record.wait === wait && !owner.cancelled) {
      wait.invoked = true;
      this.persist(record);
    }
  }

  /**
   * The function given the token failed. Unless the token was already used, the wait ends and
   * the task fails with the function's error (true); a used token's outcome stands (false).
   */
  invocationFailed(record: ExecutionRecord, owner: WaitOwner, wait: PendingWait): boolean {
    if (this.waiters.get(wait.token)?.owner !== owner) return false;
    this.waiters.delete(wait.token);
    if (record.wait === wait) record.wait = undefined;
    this.persist(record);
    return true;
  }

  /** SendTaskSuccess. */
  succeed(input: Record<string, unknown>): void {
    const task = this.find(input);
    const output = requiredString(input, "output");
    const parsed = parseJson(output, "InvalidOutput", "Invalid Task Output");
    this.settle(task, { output });
    task.waiter?.resolve(parsed);
  }

  /** SendTaskFailure. */
  fail(input: Record<string, unknown>): void {
    const task = this.find(input);
    const error = optionalString(input, "error") ?? "";
    const cause = optionalString(input, "cause") ?? "";
    this.settle(task, { error, cause });
    task.waiter?.reject(new TaskFailure(error, cause));
  }

  /** SendTaskHeartbeat: only checks the token, as HeartbeatSeconds is not enforced. */
  heartbeat(input: Record<string, unknown>): void {
    this.find(input);
  }

  /** A wait in `state` timed out: its token dies with it, unless it was settled in time. */
  expire(record: ExecutionRecord, state: string): void {
    if (record.wait?.state !== state || record.wait.outcome) return;
    this.waiters.delete(record.wait.token);
    record.wait = undefined;
    this.persist(record);
  }

  /** Ends the live waits of a cancelled run; their persisted waits stay for the next run. */
  cancel(owner: WaitOwner): void {
    for (const [token, waiter] of this.waiters) {
      if (waiter.owner !== owner) continue;
      this.waiters.delete(token);
      waiter.reject(new RunCancelled());
    }
  }

  /**
   * The wait a token belongs to: a live waiter, or a persisted wait whose run has not re-armed it
   * yet (just after a restart or re-arm) — that one takes the outcome, and its run delivers it.
   */
  private find(input: Record<string, unknown>): OpenTask {
    const token = requiredString(input, "taskToken");
    if (!isWellFormedTaskToken(token)) throw new AwsServiceError("InvalidToken", "Invalid Token");
    const waiter = this.waiters.get(token);
    const record = waiter
      ? this.records.get(waiter.executionArn)
      : [...this.records.values()].find(
          (r) => r.status === "RUNNING" && r.wait?.token === token && !r.wait.outcome,
        );
    if (!waiter && !record) throw new AwsServiceError("TaskDoesNotExist", "Task Does Not Exist");
    return { token, waiter, record };
  }

  /** Records a wait's outcome before delivering it, so a restart in between still delivers it. */
  private settle(task: OpenTask, outcome: PendingWait["outcome"]): void {
    this.waiters.delete(task.token);
    const { record } = task;
    if (record?.wait?.token === task.token) {
      record.wait.outcome = outcome;
      this.persist(record);
    }
  }
}

/** A persisted outcome, delivered as the live waiter would have received it. */
export function deliverOutcome(outcome: NonNullable<PendingWait["outcome"]>): unknown {
  if ("output" in outcome) return JSON.parse(outcome.output) as unknown;
  throw new TaskFailure(outcome.error, outcome.cause);
}
