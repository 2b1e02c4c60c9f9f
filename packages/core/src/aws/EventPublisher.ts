import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  BACKFILL_DETAIL_TYPE,
  BACKFILL_SOURCE,
  EVENT_DETAIL_TYPE,
  EVENT_SOURCE,
} from "../definitions/rules";
import { EVENTBRIDGE_ENTRY_BYTES } from "../definitions/limits";
import type { Actor, EventType, WorkflowEvent } from "../events/types";
import type { EventSink } from "../workflow/dependencies";

/**
 * What travels on the bus: the event itself, or where to read it from the log; with its type and
 * where its workflow was started from either way, for the rules to select on.
 */
export type EventDetail = { type: EventType; startedBy: Actor["source"] } & (
  { event: WorkflowEvent } | { reference: { workflowId: string; sequence: number } }
);

/** A subscriber that wants the stored events of a workflow after `since`. */
export interface BackfillRequest {
  connectionId: string;
  workflowId: string;
  since: number;
}

export class EventPublisher implements EventSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  /** Publishes the event itself, or a reference to it when the entry would be too large for EventBridge. */
  publish(event: WorkflowEvent, startedBy: Actor["source"]): Promise<void> {
    const { type } = event;
    let detail = JSON.stringify({ type, startedBy, event } satisfies EventDetail);
    if (entryBytes(EVENT_SOURCE, EVENT_DETAIL_TYPE, detail) >= EVENTBRIDGE_ENTRY_BYTES) {
      const reference = { workflowId: event.workflowId, sequence: event.sequence };
      detail = JSON.stringify({ type, startedBy, reference } satisfies EventDetail);
    }
    return this.put(EVENT_SOURCE, EVENT_DETAIL_TYPE, detail);
  }

  requestBackfill(request: BackfillRequest): Promise<void> {
    return this.put(BACKFILL_SOURCE, BACKFILL_DETAIL_TYPE, JSON.stringify(request));
  }

  private async put(source: string, detailType: string, detail: string): Promise<void> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: source,
            DetailType: detailType,
            Detail: detail,
          },
        ],
      }),
    );
    if (result.FailedEntryCount) {
      const entry = result.Entries?.[0];
      throw new Error(`EventBridge refused the event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`);
    }
  }
}

/** An entry's size as EventBridge counts it: the UTF-8 bytes of its source, detail type and detail. */
function entryBytes(source: string, detailType: string, detail: string): number {
  return Buffer.byteLength(source) + Buffer.byteLength(detailType) + Buffer.byteLength(detail);
}
