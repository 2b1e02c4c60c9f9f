import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from "../definitions/rules";
import type { WorkflowEvent } from "../events/types";

/** EventBridge takes at most 256 KiB per entry; larger events travel as a reference. */
const MAX_INLINE_DETAIL_BYTES = 200 * 1024;

/** What travels on the bus: the event itself, or where to read it from the log. */
export type EventDetail =
  { event: WorkflowEvent } | { reference: { workflowId: string; sequence: number } };

export class EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(event: WorkflowEvent): Promise<void> {
    let detail = JSON.stringify({ event } satisfies EventDetail);
    if (Buffer.byteLength(detail) > MAX_INLINE_DETAIL_BYTES) {
      const reference = { workflowId: event.workflowId, sequence: event.sequence };
      detail = JSON.stringify({ reference } satisfies EventDetail);
    }
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: EVENT_DETAIL_TYPE,
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
