import { ValidationError } from "@amelia/core/errors";
import { wsRoute } from "../middleware/wsRoute";

const KNOWN = "subscribe, unsubscribe, ping";

export const handler = wsRoute(async ({ body }) => {
  const action =
    typeof body === "object" && body !== null && "action" in body ? String(body.action) : undefined;
  throw new ValidationError(
    action === undefined
      ? `The message has no action; expected one of ${KNOWN}`
      : `Unknown action "${action}"; expected one of ${KNOWN}`,
  );
});
