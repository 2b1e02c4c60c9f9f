import { services } from "@amelia/core/services";
import { wsRoute } from "../middleware/wsRoute";

export const handler = wsRoute(async ({ connectionId }) => {
  await services().realtime.reply(connectionId, { type: "pong" });
});
