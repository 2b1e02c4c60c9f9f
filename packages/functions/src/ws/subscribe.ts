import { subscribeMessageSchema } from "@amelia/core/realtime/messages";
import { subscriptions } from "@amelia/core/realtimeServices";
import { parseInput } from "@amelia/core/validation";
import { wsRoute } from "../middleware/wsRoute";

export const handler = wsRoute(async ({ connectionId, body }) => {
  const { workflowId, since } = parseInput(subscribeMessageSchema, body, "subscribe message");
  return subscriptions().subscribe(connectionId, workflowId, since);
});
