import { describe, expect, it } from "vitest";
import { EventSequencer } from "../../src/EventSequencer";
import type { WorkflowEvent } from "../../src/types";

const event = (sequence: number) => ({ sequence }) as WorkflowEvent;
const sequences = (events: readonly WorkflowEvent[] | null) => events?.map((e) => e.sequence);

describe("EventSequencer", () => {
  it("passes events in order straight through", () => {
    const sequencer = new EventSequencer();
    expect(sequences(sequencer.accept(event(1)))).toEqual([1]);
    expect(sequences(sequencer.accept(event(2)))).toEqual([2]);
    expect(sequencer.lastSequence).toBe(2);
  });

  it("holds an event that overtook others until the gap is filled, then releases them in order", () => {
    const sequencer = new EventSequencer();
    expect(sequencer.accept(event(3))).toEqual([]);
    expect(sequencer.accept(event(2))).toEqual([]);
    expect(sequencer.lastSequence).toBe(0);
    expect(sequences(sequencer.accept(event(1)))).toEqual([1, 2, 3]);
    expect(sequencer.lastSequence).toBe(3);
  });

  it("drops repeats, whether already handed over or still waiting", () => {
    const sequencer = new EventSequencer();
    sequencer.accept(event(1));
    expect(sequencer.accept(event(1))).toBeNull();
    expect(sequencer.accept(event(3))).toEqual([]);
    expect(sequencer.accept(event(3))).toBeNull();
    expect(sequences(sequencer.accept(event(2)))).toEqual([2, 3]);
  });

  it("starts after a given sequence: what came before is not handed over again", () => {
    const sequencer = new EventSequencer(5);
    expect(sequencer.accept(event(5))).toBeNull();
    expect(sequences(sequencer.accept(event(6)))).toEqual([6]);
  });

  it("keeps every event once in sequence order, those after a gap included", () => {
    const sequencer = new EventSequencer(1);
    for (const sequence of [4, 2, 4, 6, 3]) sequencer.accept(event(sequence));
    expect(sequences(sequencer.events)).toEqual([2, 3, 4, 6]);
    expect(sequencer.lastSequence).toBe(4);
    expect(sequences(sequencer.accept(event(5)))).toEqual([5, 6]);
  });

  it("needs only the events it would take: none it holds, none before its start", () => {
    const sequencer = new EventSequencer(1);
    sequencer.accept(event(3));
    expect([1, 2, 3, 4].map((sequence) => sequencer.needs(sequence))).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });
});
