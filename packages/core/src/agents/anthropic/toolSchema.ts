import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";

/** A tool's `input_schema` from the zod schema that validates its calls (one source of truth). */
export function toolInputSchema(schema: z.ZodType): Tool.InputSchema {
  const json = z.toJSONSchema(schema) as Record<string, unknown>;
  // The API takes the schema itself; the dialect marker is not part of it.
  delete json.$schema;
  return json as Tool.InputSchema;
}
