import type { WorkflowEvent } from "@amelia/core/events/types";

/**
 * Puts one workflow's events in sequence order, each once. Live pushes may overtake the backfill
 * and a reconnect replays what was already seen, so events arrive out of order and twice; they
 * leave here as 1, 2, 3 … with no repeat.
 */
export class EventSequencer {
  private readonly waiting = new Map<number, WorkflowEvent>();

  constructor(private last = 0) {}

  /** The highest sequence handed out so far: resubscribe with it as `since`. */
  get lastSequence(): number {
    return this.last;
  }

  /** Takes an event; returns the events that are now next in line, in order (maybe none). */
  accept(event: WorkflowEvent): WorkflowEvent[] {
    if (event.sequence > this.last) this.waiting.set(event.sequence, event);
    const ready: WorkflowEvent[] = [];
    for (let next = this.waiting.get(this.last + 1); next; next = this.waiting.get(this.last + 1)) {
      this.waiting.delete(next.sequence);
      this.last = next.sequence;
      ready.push(next);
    }
    return ready;
  }
}
