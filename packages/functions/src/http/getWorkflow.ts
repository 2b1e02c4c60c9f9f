import { services } from "@amelia/core/services";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => ({
  status: 200,
  body: await services().workflows.get(workflowId(request)),
}));
