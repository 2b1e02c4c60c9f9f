import type { WorkflowEvent } from "../../src/events/types";
import type { EventSink } from "../../src/workflow/dependencies";

/** The event bus as a list of what was published; `failing` makes every publish throw. */
export class MemoryEventSink implements EventSink {
  readonly published: WorkflowEvent[] = [];
  failing = false;

  async publish(event: WorkflowEvent): Promise<void> {
    if (this.failing) throw new Error("The event bus is unreachable");
    this.published.push(event);
  }
}
