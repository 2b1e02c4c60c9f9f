import type * as z from "zod";
import { ValidationError } from "./errors";

/** Parses input against a schema; a mismatch is a ValidationError naming every bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: fieldOf(issue),
    message: issue.message,
  }));
  throw new ValidationError(
    `Invalid ${what}: ${details.map((d) => `${d.field} ${d.message}`).join("; ")}`,
    details,
  );
}

function fieldOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return issue.keys.join(", ");
  return issue.path.length ? issue.path.join(".") : "(body)";
}
