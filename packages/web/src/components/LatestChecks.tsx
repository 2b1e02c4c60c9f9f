import { checkPassed, type ChecksSummary } from "@amelia/client";
import { CheckCells, checkRowClass } from "./CheckCells";

/** The latest round's checks (the workflow's `checks`), its failing ones first to the eye. */
export function LatestChecks({ checks }: { checks: ChecksSummary | undefined }) {
  if (!checks) {
    return <p className="latest-checks muted">No checks ran on this change: it is unverified.</p>;
  }
  const failing = checks.results.filter((result) => !checkPassed(result)).length;
  return (
    <table className="check-table latest-checks">
      <caption>
        Checks of round {checks.round}:{" "}
        {checks.passed ? (
          <span className="check-passed">all passed</span>
        ) : (
          <span className="check-failed">
            {failing} of {checks.results.length} failing
          </span>
        )}
      </caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Result</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {checks.results.map((result, index) => (
          <tr key={index} className={checkRowClass(result)}>
            <CheckCells result={result} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}
