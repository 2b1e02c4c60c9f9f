import { NotFoundError } from "@amelia/core/errors";
import { stores } from "@amelia/core/storeServices";
import { parseInput } from "@amelia/core/validation";
import { checkLogPathSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute } from "../middleware/httpApi";

/** The whole log of one check of a run (its events quote only the end), as text. */
export const handler = httpRoute(async (request) => {
  const { id, runId, index } = parseInput(checkLogPathSchema, request.path, "path");
  const { workflows, checkLogs } = stores();
  await workflows.get(id);
  const log = await checkLogs.read(id, runId, index);
  if (!log) throw new NotFoundError("Check log", `${runId}/${index}`);
  return { status: 200, body: log.toString("utf8"), text: true };
});
