import type { EventBridgeEvent } from "aws-lambda";
import type { BackfillRequest, EventDetail } from "@amelia/core/aws/EventPublisher";
import { BACKFILL_DETAIL_TYPE } from "@amelia/core/definitions/rules";
import { logger } from "@amelia/core/logger";
import { broadcaster } from "@amelia/core/broadcasterServices";
import { lambdaHandler } from "../middleware/lambdaHandler";

type BusEvent = EventBridgeEvent<string, EventDetail | BackfillRequest>;

/**
 * EventBridge target, and the only function that posts to WebSocket connections: it pushes each
 * stored event to its subscribers, and sends a new subscriber the events it missed.
 */
export const handler = lambdaHandler<BusEvent, void>(async (busEvent) => {
  if (busEvent["detail-type"] === BACKFILL_DETAIL_TYPE) {
    await broadcaster().backfill(busEvent.detail as BackfillRequest);
    return;
  }
  const detail = busEvent.detail as EventDetail;
  const event =
    "event" in detail
      ? detail.event
      : await broadcaster().load(detail.reference.workflowId, detail.reference.sequence);
  if (!event) return;
  const { delivered, gone } = await broadcaster().broadcast(event);
  logger.debug("Broadcast", {
    workflowId: event.workflowId,
    sequence: event.sequence,
    delivered,
    gone,
  });
});
