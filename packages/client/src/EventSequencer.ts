import type { WorkflowEvent } from "./types";

/**
 * One workflow's events, each once and in sequence order. Pushes are at-least-once: a live push
 * may overtake the backfill and a reconnect replays what was already seen, so events arrive out
 * of order and twice. Repeats are dropped; what is next in line leaves as 1, 2, 3 … with no gap.
 */
export class EventSequencer {
  /** Every event kept, in sequence order, those after a gap included. */
  private readonly kept: WorkflowEvent[] = [];
  private readonly sequences = new Set<number>();
  private last: number;

  /** `after`: the sequence already handled elsewhere (printed, say); only later events count. */
  constructor(private readonly after = 0) {
    this.last = after;
  }

  /** The highest sequence n such that every event up to n is here: resubscribe with it as `since`. */
  get lastSequence(): number {
    return this.last;
  }

  /** Every event taken, in sequence order, including those still waiting for a gap to fill. */
  get events(): readonly WorkflowEvent[] {
    return this.kept;
  }

  /** Whether an event with this sequence would be taken: not here yet, nor before the start. */
  needs(sequence: number): boolean {
    return sequence > this.after && !this.sequences.has(sequence);
  }

  /**
   * Takes an event. Returns the events that are now next in line, in order (none while a gap
   * stays open, several once it fills), or null when the event is a repeat or comes before the
   * start.
   */
  accept(event: WorkflowEvent): WorkflowEvent[] | null {
    const { sequence } = event;
    if (!this.needs(sequence)) return null;
    this.sequences.add(sequence);
    let index = this.kept.length;
    while (index > 0 && this.kept[index - 1]!.sequence > sequence) index--;
    this.kept.splice(index, 0, event);
    const before = this.last;
    while (this.sequences.has(this.last + 1)) this.last++;
    // Sequences after+1 … last are all here and sorted first: their positions are their offsets.
    return this.kept.slice(before - this.after, this.last - this.after);
  }
}
