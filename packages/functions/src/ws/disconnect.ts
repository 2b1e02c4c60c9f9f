import { services } from "@amelia/core/services";
import { connectionRoute } from "../middleware/wsRoute";

export const handler = connectionRoute((connectionId) =>
  services().subscriptions.disconnect(connectionId),
);
