import { wsRoute } from "../middleware/wsRoute";

export const handler = wsRoute(async () => ({ type: "pong" }));
