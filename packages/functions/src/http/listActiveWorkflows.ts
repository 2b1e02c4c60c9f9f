import { stores } from "@amelia/core/storeServices";
import { httpRoute } from "../middleware/httpApi";

export const handler = httpRoute(async () => ({
  status: 200,
  body: { workflows: await stores().workflows.listActive() },
}));
