import type { WorkflowEvent } from "../api/types";

export interface FeedSnapshot {
  /** Each event once, in sequence order. */
  events: readonly WorkflowEvent[];
  /** The server has sent everything stored since the last (re)subscription. */
  caughtUp: boolean;
}

export const EMPTY_FEED: FeedSnapshot = Object.freeze({ events: [], caughtUp: false });

/**
 * One workflow's events as received: pushes are at-least-once and may arrive out of order
 * (a live push can overtake the backfill), so they are kept by sequence and duplicates dropped.
 */
export class EventFeed {
  private readonly events: WorkflowEvent[] = [];
  private readonly held = new Set<number>();
  private cached: FeedSnapshot | null = null;
  private caughtUp = false;
  /** The highest sequence n such that 1..n are all here: where a resubscription resumes. */
  watermark = 0;

  /** Adds an event; false when it was already here. */
  add(event: WorkflowEvent): boolean {
    if (this.held.has(event.sequence)) return false;
    this.held.add(event.sequence);
    let index = this.events.length;
    while (index > 0 && this.events[index - 1]!.sequence > event.sequence) index--;
    this.events.splice(index, 0, event);
    while (this.held.has(this.watermark + 1)) this.watermark++;
    this.cached = null;
    return true;
  }

  /** Returns whether this changed anything. */
  setCaughtUp(caughtUp: boolean): boolean {
    if (this.caughtUp === caughtUp) return false;
    this.caughtUp = caughtUp;
    this.cached = null;
    return true;
  }

  /** An immutable view, the same object until something changes (for useSyncExternalStore). */
  snapshot(): FeedSnapshot {
    this.cached ??= { events: [...this.events], caughtUp: this.caughtUp };
    return this.cached;
  }
}
