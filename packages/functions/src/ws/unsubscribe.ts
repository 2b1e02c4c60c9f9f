import { unsubscribeMessageSchema } from "@amelia/core/realtime/messages";
import { services } from "@amelia/core/services";
import { parseInput } from "@amelia/core/validation";
import { wsRoute } from "../middleware/wsRoute";

export const handler = wsRoute(async ({ connectionId, body }) => {
  const { workflowId } = parseInput(unsubscribeMessageSchema, body, "unsubscribe message");
  return services().subscriptions.unsubscribe(connectionId, workflowId);
});
