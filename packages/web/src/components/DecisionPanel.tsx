import { isActive } from "@amelia/core/workflow/status";
import { useState } from "react";
import type { Workflow } from "@amelia/client";
import { ErrorMessage } from "./ErrorMessage";
import { LatestChecks } from "./LatestChecks";

type Action = "approve" | "reject" | "cancel" | "resume";

export interface DecisionPanelProps {
  workflow: Pick<Workflow, "status" | "gate" | "stage" | "checks">;
  onApprove(): Promise<unknown>;
  onReject(feedback: string): Promise<unknown>;
  onCancel(): Promise<unknown>;
  onResume(): Promise<unknown>;
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
 * Approve, reject (with feedback) or cancel; resume a failed workflow. One request at a time,
 * its error shown.
 */
export function DecisionPanel({
  workflow,
  onApprove,
  onReject,
  onCancel,
  onResume,
}: DecisionPanelProps) {
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [feedback, setFeedback] = useState("");
  const [confirmingCancel, setConfirmingCancel] = useState(false);

  const failed = workflow.status === "failed";
  if (!isActive(workflow.status) && !failed) return null;
  const atGate = workflow.status === "blocked" && workflow.gate !== undefined;

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

  if (!atGate) {
    return (
      <section className="card controls" aria-label="Controls">
        <div className="buttons">{cancel}</div>
        <ErrorMessage error={error} />
      </section>
    );
  }

  return (
    <section className="card decision" aria-labelledby="decision-title">
      <h2 id="decision-title">Your decision</h2>
      <p className="gate-text">{GATE_TEXT[gateText(workflow)]}</p>
      {workflow.gate === "review" && <LatestChecks checks={workflow.checks} />}
      <label htmlFor="feedback">Feedback (needed to reject)</label>
      <textarea
        id="feedback"
        rows={2}
        value={feedback}
        onChange={(event) => setFeedback(event.target.value)}
        placeholder={
          workflow.gate === "plan"
            ? "What should the plan change?"
            : "What should the developer change?"
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

/** The words for the open gate (the panel shows only at one). */
function gateText({ gate, checks }: DecisionPanelProps["workflow"]): keyof typeof GATE_TEXT {
  return gate === "review" && checks?.passed === false ? "failingChecks" : gate!;
}
