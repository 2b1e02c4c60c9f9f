import { modelInUse } from "@amelia/core/modelServices";
import { stores } from "@amelia/core/storeServices";
import { httpRoute } from "../middleware/httpApi";
import { version } from "../version";

export const handler = httpRoute(async () => {
  await stores().workflowStore.get("health-check");
  const { model, demo } = await modelInUse();
  return {
    status: 200,
    body: { status: "ok", version, checks: { database: "ok", model: { name: model, demo } } },
  };
});
