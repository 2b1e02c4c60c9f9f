import { services } from "@amelia/core/services";
import { httpRoute } from "../middleware/httpApi";

export const handler = httpRoute(async () => ({
  status: 200,
  body: { workflows: await services().workflows.listActive() },
}));
