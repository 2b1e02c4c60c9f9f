import { services } from "@amelia/core/services";
import { httpRoute } from "../middleware/httpApi";
import { version } from "../version";

export const handler = httpRoute(async () => {
  const { workflowStore, driver } = services();
  await workflowStore.get("health-check");
  const { model, demo } = await driver();
  return {
    status: 200,
    body: { status: "ok", version, checks: { database: "ok", model: { name: model, demo } } },
  };
});
