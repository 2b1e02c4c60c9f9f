import type { ChecksSummary } from "./types";

/** A check passed: it exited 0 within its time limit (as the verify step counts it). */
export function checkPassed(
  result: Pick<ChecksSummary["results"][number], "exitCode" | "timedOut">,
): boolean {
  return result.exitCode === 0 && !result.timedOut;
}
