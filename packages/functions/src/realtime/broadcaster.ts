import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context, EventBridgeEvent } from "aws-lambda";
import type { EventDetail } from "@amelia/core/aws/EventPublisher";
import { logger } from "@amelia/core/logger";
import { services } from "@amelia/core/services";

/** EventBridge target: pushes each stored event to the connections subscribed to it. */
export const handler = middy<EventBridgeEvent<string, EventDetail>, void, Error, Context>()
  .use(injectLambdaContext(logger, { logEvent: false }))
  .handler(async ({ detail }) => {
    const { realtime } = services();
    const event =
      "event" in detail
        ? detail.event
        : await realtime.load(detail.reference.workflowId, detail.reference.sequence);
    if (!event) return;
    const { delivered, gone } = await realtime.broadcast(event);
    logger.debug("Broadcast", {
      workflowId: event.workflowId,
      sequence: event.sequence,
      delivered,
      gone,
    });
  });
