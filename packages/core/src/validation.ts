import type * as z from "zod";
import { ValidationError, type FieldIssue } from "./errors";

/** Parses input against a schema; a mismatch is a ValidationError naming every bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: FieldIssue[] = result.error.issues.map((issue) => ({
    field: fieldOf(issue),
    message: issue.message,
    ...(issue.code === "custom" && limitOf(issue.params)),
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

/** A refinement's own detail: the limit it holds the field to (see `params` of its check). */
function limitOf(params: Record<string, unknown> | undefined): Pick<FieldIssue, "limitBytes"> {
  return typeof params?.limitBytes === "number" ? { limitBytes: params.limitBytes } : {};
}
