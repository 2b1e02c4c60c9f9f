import { stores } from "@amelia/core/storeServices";
import { httpRoute, workflowId } from "../middleware/httpApi";

export const handler = httpRoute(async (request) => ({
  status: 200,
  body: await stores().workflows.get(workflowId(request)),
}));
