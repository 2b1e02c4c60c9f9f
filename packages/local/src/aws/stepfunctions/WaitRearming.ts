import type { ExecutionRecord, PendingWait } from "./ExecutionStore";
import type { WaitOwner } from "./TaskTokenWaits";

/**
 * The interpreter times a wait out with one timer, which holds at most `timerLimitSeconds`: a
 * longer wait would time out early. So halfway through that limit the run is re-armed — restarted
 * at the same state with the same token and less time left — by `rearm`.
 */
export class WaitRearming {
  private readonly timers = new Map<WaitOwner, NodeJS.Timeout>();

  constructor(
    private readonly timerLimitSeconds: number,
    private readonly rearm: (record: ExecutionRecord) => void,
  ) {}

  /** Re-arms `wait` once, if it outlasts one timer and is still open by then. */
  schedule(owner: WaitOwner, record: ExecutionRecord, wait: PendingWait): void {
    const limitMs = this.timerLimitSeconds * 1000;
    if (wait.deadline - Date.now() <= limitMs) return;
    this.cancel(owner);
    const timer = setTimeout(() => {
      this.timers.delete(owner);
      if (!owner.cancelled && record.wait === wait && !wait.outcome) this.rearm(record);
    }, limitMs / 2);
    this.timers.set(owner, timer);
  }

  /** Forgets the run's pending re-arm (it was cancelled or replaced). */
  cancel(owner: WaitOwner): void {
    clearTimeout(this.timers.get(owner));
    this.timers.delete(owner);
  }
}
