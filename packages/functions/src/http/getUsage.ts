import { stores } from "@amelia/core/storeServices";
import { usageQuerySchema, usageReport } from "@amelia/core/usage/usageReport";
import { parseInput } from "@amelia/core/validation";
import { httpRoute } from "../middleware/httpApi";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Token use and cost of the last `days` days, from the log's `token_usage` events. */
export const handler = httpRoute(async (request) => {
  const { days } = parseInput(usageQuerySchema, request.query, "query");
  const until = new Date();
  const since = new Date(until.getTime() - days * DAY_MS);
  const events = await stores().usage.tokenUsage(since, until);
  return { status: 200, body: usageReport(events, { days, since, until }) };
});
