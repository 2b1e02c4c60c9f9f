import { isActive } from "@amelia/core/workflow/status";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { parseBudget, suggestedBudget, type Workflow } from "@amelia/client";
import { formatCost, STAGE_LABELS } from "../format";
import { ErrorMessage } from "./ErrorMessage";
import { LatestChecks } from "./LatestChecks";

type Action = "approve" | "reject" | "cancel" | "resume" | "raise";

export interface DecisionPanelProps {
  workflow: Pick<Workflow, "status" | "gate" | "stage" | "checks" | "budgetUsd" | "usage">;
  onApprove(): Promise<unknown>;
  onReject(feedback: string): Promise<unknown>;
  onCancel(): Promise<unknown>;
  onResume(): Promise<unknown>;
  onRaiseBudget(budgetUsd: number): Promise<unknown>;
}

const GATE_TEXT = {
  plan: "The architect's plan is waiting for your decision. Approve it to start the developer, or reject it with feedback to have it re-planned.",
  review:
    "The review loop reached its limit. Approve the result as it is, or reject it with feedback for the developer.",
  /** The review gate opened because the checks kept failing (AMELIA_MAX_CHECK_ROUNDS). */
  failingChecks:
    "The checks still fail after the developer's last rounds. Approve the result as it is, or reject it with feedback for the developer.",
};

/**
 * Approve, reject (with feedback) or cancel; raise the budget at the budget gate; resume a failed
 * workflow. One request at a time, its error shown.
 */
export function DecisionPanel({
  workflow,
  onApprove,
  onReject,
  onCancel,
  onResume,
  onRaiseBudget,
}: DecisionPanelProps) {
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [feedback, setFeedback] = useState("");
  const [confirmingCancel, setConfirmingCancel] = useState(false);

  const failed = workflow.status === "failed";
  if (!isActive(workflow.status) && !failed) return null;
  const gate = workflow.status === "blocked" ? workflow.gate : undefined;

  const run = async (action: Action, request: () => Promise<unknown>) => {
    setBusy(action);
    setError(null);
    try {
      await request();
      if (action === "reject") setFeedback("");
      setConfirmingCancel(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  const cancel = confirmingCancel ? (
    <div className="confirm" role="group" aria-labelledby="confirm-cancel-text">
      <p id="confirm-cancel-text">
        Cancel this workflow? The agents stop and it cannot be resumed.
      </p>
      <button
        type="button"
        className="danger"
        disabled={busy !== null}
        onClick={() => run("cancel", onCancel)}
        autoFocus
      >
        {busy === "cancel" ? "Cancelling…" : "Yes, cancel it"}
      </button>
      <button type="button" disabled={busy !== null} onClick={() => setConfirmingCancel(false)}>
        Keep it running
      </button>
    </div>
  ) : (
    <button
      type="button"
      className="danger-outline"
      disabled={busy !== null}
      onClick={() => setConfirmingCancel(true)}
    >
      Cancel workflow…
    </button>
  );

  if (failed) {
    return (
      <section className="card controls" aria-label="Controls">
        <p className="gate-text">
          Once the cause is fixed (a model outage, a key, a repository), resume the workflow: it
          continues from the {workflow.stage} stage where it failed.
        </p>
        <div className="buttons">
          <button
            type="button"
            className="primary"
            disabled={busy !== null}
            onClick={() => run("resume", onResume)}
          >
            {busy === "resume" ? "Resuming…" : "Resume"}
          </button>
        </div>
        <ErrorMessage error={error} />
      </section>
    );
  }

  if (gate === undefined) {
    return (
      <section className="card controls" aria-label="Controls">
        <div className="buttons">{cancel}</div>
        <ErrorMessage error={error} />
      </section>
    );
  }

  if (gate === "budget") {
    // The gate opens only on a budget; core's message reads a missing one as 0 too.
    const budgetUsd = workflow.budgetUsd ?? 0;
    const spentUsd = workflow.usage.costUsd;
    return (
      <section className="card decision" aria-labelledby="decision-title">
        <h2 id="decision-title">
          Budget reached: {formatCost(spentUsd)} of {formatCost(budgetUsd)}
        </h2>
        <p className="gate-text">
          The {STAGE_LABELS[workflow.stage].toLowerCase()} stopped before a model call that could
          pass the budget. Raise the budget and it continues where it stopped, with nothing redone;
          or cancel the workflow.
        </p>
        <RaiseBudget
          key={budgetUsd}
          suggestedUsd={suggestedBudget(budgetUsd, spentUsd)}
          busy={busy}
          onRaise={(raisedUsd) => run("raise", () => onRaiseBudget(raisedUsd))}
        >
          {!confirmingCancel && <span className="spacer" />}
          {cancel}
        </RaiseBudget>
        <ErrorMessage error={error} />
      </section>
    );
  }

  return (
    <section className="card decision" aria-labelledby="decision-title">
      <h2 id="decision-title">Your decision</h2>
      <p className="gate-text">{GATE_TEXT[gateText(gate, workflow.checks)]}</p>
      {gate === "review" && <LatestChecks checks={workflow.checks} />}
      <label htmlFor="feedback">Feedback (needed to reject)</label>
      <textarea
        id="feedback"
        rows={2}
        value={feedback}
        onChange={(event) => setFeedback(event.target.value)}
        placeholder={
          gate === "plan" ? "What should the plan change?" : "What should the developer change?"
        }
      />
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={busy !== null}
          onClick={() => run("approve", onApprove)}
        >
          {busy === "approve" ? "Approving…" : "Approve"}
        </button>
        <button
          type="button"
          disabled={busy !== null || feedback.trim() === ""}
          onClick={() => run("reject", () => onReject(feedback.trim()))}
        >
          {busy === "reject" ? "Rejecting…" : "Reject with feedback"}
        </button>
        {!confirmingCancel && <span className="spacer" />}
        {cancel}
      </div>
      <ErrorMessage error={error} />
    </section>
  );
}

/** The words for the gate of a decision. */
function gateText(
  gate: "plan" | "review",
  checks: DecisionPanelProps["workflow"]["checks"],
): keyof typeof GATE_TEXT {
  return gate === "review" && checks?.passed === false ? "failingChecks" : gate;
}

/**
 * The new budget, offered as `suggestedUsd`, checked as the API checks it before it is sent;
 * `children` (the cancel control) share its row of buttons.
 */
function RaiseBudget({
  suggestedUsd,
  busy,
  onRaise,
  children,
}: {
  suggestedUsd: number;
  busy: Action | null;
  onRaise(budgetUsd: number): void;
  children: ReactNode;
}) {
  const [text, setText] = useState(suggestedUsd.toFixed(2));
  const [problem, setProblem] = useState<string>();
  const input = useRef<HTMLInputElement>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseBudget(text);
    if ("problem" in parsed) {
      setProblem(`The new budget ${parsed.problem}.`);
      input.current?.focus();
      return;
    }
    setProblem(undefined);
    onRaise(parsed.budgetUsd);
  };

  return (
    <form onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor="raise-budget">
          New budget <span className="muted">(US dollars)</span>
        </label>
        <input
          id="raise-budget"
          ref={input}
          inputMode="decimal"
          autoComplete="off"
          value={text}
          onChange={(event) => setText(event.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? "raise-budget-issue" : undefined}
        />
        {problem && (
          <span className="field-issue" id="raise-budget-issue">
            {problem}
          </span>
        )}
      </div>
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy !== null}>
          {busy === "raise" ? "Raising…" : "Raise budget"}
        </button>
        {children}
      </div>
    </form>
  );
}
