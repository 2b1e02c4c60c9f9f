import { unsubscribeMessageSchema } from "@amelia/core/realtime/messages";
import { subscriptions } from "@amelia/core/realtimeServices";
import { parseInput } from "@amelia/core/validation";
import { wsRoute } from "../middleware/wsRoute";

export const handler = wsRoute(async ({ connectionId, body }) => {
  const { workflowId } = parseInput(unsubscribeMessageSchema, body, "unsubscribe message");
  return subscriptions().unsubscribe(connectionId, workflowId);
});
