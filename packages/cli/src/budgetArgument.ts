import { parseBudget } from "@amelia/client";
import { UsageError } from "./errors";

/** A budget given on the command line, in US dollars; one the API would refuse is a usage error. */
export function budgetArgument(text: string, hint: string): number {
  const parsed = parseBudget(text);
  if ("problem" in parsed) throw new UsageError(`The budget "${text}" ${parsed.problem}`, hint);
  return parsed.budgetUsd;
}
