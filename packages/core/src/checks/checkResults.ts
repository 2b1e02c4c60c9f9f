import * as z from "zod";

/** How much of a command's output an event quotes: its end, where failures are told. */
export const OUTPUT_TAIL_BYTES = 16 * 1024;

const resultSchema = z.object({
  name: z.string(),
  command: z.string(),
  exitCode: z.number().int(),
  durationMs: z.number().nonnegative(),
  timedOut: z.boolean(),
  outputBytes: z.number().int().nonnegative(),
  logFile: z.string().regex(/^[a-z0-9-]+\.log$/),
});
export type CheckResult = z.infer<typeof resultSchema>;

const resultsFileSchema = z.object({ results: z.array(resultSchema) });

/** A check passed: it exited 0 within its time limit. */
export function checkPassed(result: Pick<CheckResult, "exitCode" | "timedOut">): boolean {
  return result.exitCode === 0 && !result.timedOut;
}

/** The runner's `results.json`; anything else is an error naming the problem. */
export function parseResults(json: string): CheckResult[] {
  return resultsFileSchema.parse(JSON.parse(json)).results;
}

/** The last `bytes` bytes of a log as text, starting at a whole UTF-8 character. */
export function outputTail(log: Uint8Array, bytes = OUTPUT_TAIL_BYTES): string {
  let start = Math.max(0, log.length - bytes);
  // Continuation bytes are 10xxxxxx: step past a character cut in two.
  while (start < log.length && start > 0 && (log[start]! & 0xc0) === 0x80) start++;
  return Buffer.from(log.subarray(start)).toString("utf8");
}
