import { subscriptions } from "@amelia/core/realtimeServices";
import { connectionRoute } from "../middleware/wsRoute";

export const handler = connectionRoute((connectionId) => subscriptions().connect(connectionId));
