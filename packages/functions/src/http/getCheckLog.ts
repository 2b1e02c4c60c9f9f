import { documentClient } from "@amelia/core/aws/clients";
import { NotFoundError } from "@amelia/core/errors";
import { services } from "@amelia/core/services";
import { CheckLogStore } from "@amelia/core/store/CheckLogStore";
import { parseInput } from "@amelia/core/validation";
import { checkLogPathSchema } from "@amelia/core/workflow/Workflow";
import { httpRoute } from "../middleware/httpApi";

/** The whole log of one check of a run (its events quote only the end), as text. */
export const handler = httpRoute(async (request) => {
  const { id, runId, index } = parseInput(checkLogPathSchema, request.path, "path");
  const { workflows, config } = services();
  await workflows.get(id);
  const log = await new CheckLogStore(documentClient(), config.tableName).read(id, runId, index);
  if (!log) throw new NotFoundError("Check log", `${runId}/${index}`);
  return { status: 200, body: log.toString("utf8"), text: true };
});
