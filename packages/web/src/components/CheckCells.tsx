import { checkPassed } from "@amelia/client";
import { checkResultLabel, formatDuration } from "../format";

/** A check's name, result and duration: the cells every table of checks starts with. */
export function CheckCells({
  result,
}: {
  result: { name: string; exitCode: number; durationMs: number; timedOut: boolean };
}) {
  const ok = checkPassed(result);
  return (
    <>
      <th scope="row">{result.name}</th>
      <td className={ok ? "check-passed" : "check-failed"}>{checkResultLabel(result)}</td>
      <td className="duration">{formatDuration(result.durationMs)}</td>
    </>
  );
}

/** The rows' class: a failing check stands out. */
export function checkRowClass(result: { exitCode: number; timedOut: boolean }): string {
  return checkPassed(result) ? "check-row" : "check-row failing";
}
