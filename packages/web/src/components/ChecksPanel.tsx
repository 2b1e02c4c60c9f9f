import { useId, useMemo, useState } from "react";
import type { WorkflowEvent } from "@amelia/client";
import {
  checkRounds,
  type CheckCompleted,
  type CheckedRound,
  type CheckRound,
} from "../checks/checkRounds";
import { CheckCells, checkRowClass } from "./CheckCells";
import { ErrorMessage } from "./ErrorMessage";

export interface ChecksPanelProps {
  events: readonly WorkflowEvent[];
  /** Whether the workflow is still active: a round without its outcome is then still running. */
  active: boolean;
  /** Reads the whole log of check `index` of run `runId`. */
  loadLog(runId: string, index: number): Promise<string>;
}

/**
 * Every round's checks, newest first, from the workflow's events: each check's result and
 * duration, its output's end on request, and its whole log read from the API.
 */
export function ChecksPanel({ events, active, loadLog }: ChecksPanelProps) {
  const rounds = useMemo(() => checkRounds(events), [events]);
  if (rounds.length === 0) return null;
  const newest = rounds.at(-1);
  return (
    <section className="card checks" aria-labelledby="checks-title">
      <h2 id="checks-title">Checks</h2>
      {rounds
        .map((round, index) => (
          <RoundChecks
            key={round.kind === "checked" ? round.runId : `unchecked-${index}`}
            round={round}
            running={active && round === newest}
            loadLog={loadLog}
          />
        ))
        .reverse()}
    </section>
  );
}

function RoundChecks({
  round,
  running,
  loadLog,
}: {
  round: CheckRound;
  running: boolean;
  loadLog: ChecksPanelProps["loadLog"];
}) {
  if (round.kind === "unchecked") {
    return (
      <section className="check-round" aria-label={`Round ${round.round}`}>
        <h3>
          Round {round.round} <span className="badge outcome-unchecked">Not checked</span>
        </h3>
        <p className="muted">{round.message}</p>
      </section>
    );
  }
  const pending =
    round.passed === undefined
      ? round.checks.filter((name) => !round.results.some((result) => result.name === name))
      : [];
  return (
    <section className="check-round" aria-label={`Round ${round.round}`}>
      <h3>
        Round {round.round} <Outcome round={round} running={running} />
        {round.sandbox === "unsafe-host" && (
          <span
            className="badge unsafe"
            title="AMELIA_SANDBOX=unsafe-host: these commands ran on the server's machine, without a sandbox"
          >
            Not sandboxed
          </span>
        )}
      </h3>
      {round.source === "detected" && (
        <p className="muted">Detected from the repository: it has no .amelia/checks.yml.</p>
      )}
      <table className="check-table">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Duration</th>
            <th scope="col">
              <span className="visually-hidden">Output</span>
            </th>
          </tr>
        </thead>
        {round.results.map((result) => (
          <CheckRow key={result.index} result={result} loadLog={loadLog} />
        ))}
        {pending.length > 0 && (
          <tbody>
            {pending.map((name) => (
              <tr key={name} className="check-row">
                <th scope="row">{name}</th>
                <td className="muted">{running ? "Running…" : "Did not finish"}</td>
                <td />
                <td />
              </tr>
            ))}
          </tbody>
        )}
      </table>
    </section>
  );
}

function Outcome({ round, running }: { round: CheckedRound; running: boolean }) {
  if (round.passed === true) return <span className="badge outcome-passed">Passed</span>;
  if (round.passed === false) return <span className="badge outcome-failed">Failed</span>;
  return running ? (
    <span className="badge outcome-running">Running</span>
  ) : (
    <span className="badge outcome-unchecked">Did not finish</span>
  );
}

/** One check: its row, and under it, on request, its output's end or its whole log. */
function CheckRow({
  result,
  loadLog,
}: {
  result: CheckCompleted;
  loadLog: ChecksPanelProps["loadLog"];
}) {
  const outputId = useId();
  const [open, setOpen] = useState(false);
  const [wholeLog, setWholeLog] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const readWholeLog = async () => {
    setLoading(true);
    setError(null);
    try {
      setWholeLog(await loadLog(result.runId, result.index));
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  const shown = wholeLog ?? result.output;
  return (
    <tbody>
      <tr className={checkRowClass(result)}>
        <CheckCells result={result} />
        <td>
          <button
            type="button"
            className="link"
            aria-expanded={open}
            aria-controls={outputId}
            aria-label={`Output of ${result.name}`}
            onClick={() => setOpen(!open)}
          >
            Output
          </button>
        </td>
      </tr>
      {open && (
        <tr className="check-output-row">
          <td colSpan={4} id={outputId}>
            <p className="check-output-head">
              <code>{result.command}</code>
              <span className="muted">
                {wholeLog === undefined ? " · the end of its output" : " · its whole log"}
              </span>
              {wholeLog === undefined && (
                <button
                  type="button"
                  className="link"
                  disabled={loading}
                  aria-label={`Whole log of ${result.name}`}
                  onClick={readWholeLog}
                >
                  {loading ? "Loading…" : "Whole log"}
                </button>
              )}
            </p>
            <ErrorMessage error={error} />
            <pre className="check-output">{shown === "" ? "(no output)" : shown}</pre>
          </td>
        </tr>
      )}
    </tbody>
  );
}
