import { isActive } from "@amelia/core/workflow/status";
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import type { Review, Workflow } from "@amelia/client";
import {
  actorText,
  formatDateTime,
  formatSpend,
  formatTokens,
  GATE_LABELS,
  pullRequestLabel,
  STAGE_LABELS,
} from "../format";
import { useLiveRefresh, useWorkflowEvents } from "../live/hooks";
import { Link, workflowHref } from "../router";
import { useServices } from "../services";
import { changeRounds } from "../diff/rounds";
import { ChangesSection } from "./ChangesSection";
import { ChecksPanel } from "./ChecksPanel";
import { DecisionPanel } from "./DecisionPanel";
import { ErrorMessage } from "./ErrorMessage";
import { Markdown } from "./Markdown";
import { RevisionBadge } from "./RevisionBadge";
import { RevisionsPanel } from "./RevisionsPanel";
import { StatusBadge } from "./StatusBadge";
import { Timeline } from "./Timeline";
import { newest } from "../api/newest";

/** One workflow: where it is, its plan and review, the decision it waits for, its live events. */
export function WorkflowPage({ id }: { id: string }) {
  const { api, live } = useServices();
  const [workflow, setWorkflow] = useState<Workflow>();
  const [error, setError] = useState<unknown>(null);
  const feed = useWorkflowEvents(live, id);
  const rounds = useMemo(() => changeRounds(feed.events), [feed.events]);
  // Undefined until shown or hidden: the review gate shows them, and they stay until hidden.
  const [showChanges, setShowChanges] = useState<boolean>();

  const accept = useCallback((next: Workflow) => {
    setWorkflow((previous) => newest(previous, next));
    setError(null);
    return next;
  }, []);
  const load = useCallback(() => {
    api.getWorkflow(id).then(accept, setError);
  }, [api, id, accept]);
  const loadCheckLog = useCallback(
    (runId: string, index: number) => api.checkLog(id, runId, index),
    [api, id],
  );

  useEffect(() => {
    setWorkflow(undefined);
    setShowChanges(undefined);
    load();
  }, [load]);
  useLiveRefresh(live, (changed) => changed === id && load(), load);
  const issueId = workflow?.issueId;
  useEffect(() => {
    if (issueId) document.title = `${issueId} · Amelia`;
    return () => {
      document.title = "Amelia";
    };
  }, [issueId]);

  if (!workflow) {
    return (
      <main className="page">
        <Link href="/" className="back">
          ← All workflows
        </Link>
        {error ? <ErrorMessage error={error} /> : <p className="muted">Loading…</p>}
      </main>
    );
  }

  if (showChanges === undefined && atReviewGate(workflow)) setShowChanges(true);
  const decision = (
    <DecisionPanel
      key={workflow.id}
      workflow={workflow}
      onApprove={() => api.approve(id).then(accept)}
      onReject={(feedback) => api.reject(id, feedback).then(accept)}
      onCancel={() => api.cancel(id).then(accept)}
      onResume={() => api.resume(id).then(accept)}
      onRaiseBudget={(budgetUsd) => api.raiseBudget(id, budgetUsd).then(accept)}
    />
  );
  const review = workflow.review && (
    <ReviewSummary review={workflow.review} round={workflow.iteration.review} />
  );
  const changes = rounds.latestCommit !== undefined && (
    <ChangesSection
      workflowId={id}
      {...rounds}
      open={showChanges === true}
      onToggle={setShowChanges}
    />
  );
  // The change shown beside its review and the decision about it. The card keeps its place in
  // the tree when shown or hidden, and so its button the focus.
  const desk = changes && showChanges === true;

  return (
    <main className="page">
      <Link href="/" className="back">
        ← All workflows
      </Link>
      <header className="workflow-head">
        <h1>
          <span className="issue-id">{workflow.issueId}</span>
          {workflow.title && <span className="title"> {workflow.title}</span>}
        </h1>
        {workflow.kind === "revision" && <RevisionBadge />}
        <StatusBadge workflow={workflow} />
      </header>
      <Origin workflow={workflow} />
      {workflow.description && <p className="description">{workflow.description}</p>}
      <Facts workflow={workflow} />
      {error !== null && <ErrorMessage error={error} />}
      {workflow.failureReason && (
        <p className="error" role="alert">
          Failed: {workflow.failureReason}
        </p>
      )}
      {changes && (
        <div className={desk ? "review-desk" : undefined}>
          {desk && review}
          {changes}
          {desk && decision}
        </div>
      )}
      <div className="workflow-grid">
        <div className="workflow-main">
          {!desk && decision}
          {workflow.revisions && workflow.revisions.length > 0 && (
            <RevisionsPanel ids={workflow.revisions} />
          )}
          {workflow.plan && (
            <section className="card plan" aria-labelledby="plan-title">
              <h2 id="plan-title">
                Plan <span className="muted">round {workflow.iteration.plan}</span>
              </h2>
              <Markdown text={workflow.plan} label="Plan" />
            </section>
          )}
          {!desk && review}
          <ChecksPanel
            events={feed.events}
            active={isActive(workflow.status)}
            loadLog={loadCheckLog}
          />
        </div>
        <Timeline events={feed.events} caughtUp={feed.caughtUp} />
      </div>
    </main>
  );
}

const atReviewGate = ({ status, gate }: Workflow) => status === "blocked" && gate === "review";

/** Where the workflow comes from: what a revision revises, and who started it. */
function Origin({ workflow }: { workflow: Workflow }) {
  const { kind, pullRequestUrl, revisionOf, startedBy } = workflow;
  if (kind !== "revision" && !startedBy) return null;
  return (
    <p className="origin">
      {kind === "revision" && (
        <>
          Revises{" "}
          {pullRequestUrl ? (
            <a href={pullRequestUrl} target="_blank" rel="noreferrer">
              pull request {pullRequestLabel(pullRequestUrl)}
            </a>
          ) : (
            "a pull request"
          )}
          {revisionOf && (
            <>
              {" "}
              of <Link href={workflowHref(revisionOf)}>the original workflow</Link>
            </>
          )}
          .
        </>
      )}
      {kind === "revision" && startedBy && " "}
      {startedBy && `Started ${actorText(startedBy)}.`}
    </p>
  );
}

function Facts({ workflow }: { workflow: Workflow }) {
  const facts: [string, ReactNode][] = [
    ["Stage", <span data-testid="stage">{STAGE_LABELS[workflow.stage]}</span>],
    ["Gate", workflow.gate ? GATE_LABELS[workflow.gate] : "none"],
    ["Rounds", `plan ${workflow.iteration.plan} · review ${workflow.iteration.review}`],
    ["Cost", `${formatSpend(workflow)}${workflow.budgetUsd === undefined ? " (no budget)" : ""}`],
    ["Tokens", formatTokens(workflow.usage)],
    ["Model", workflow.model],
    ["Branch", workflow.branch ? <code>{workflow.branch}</code> : "none yet"],
    ["Repository", workflow.repository ? <code>{workflow.repository}</code> : "scratch repository"],
    ["Started", formatDateTime(workflow.createdAt)],
  ];
  if (workflow.completedAt) facts.push(["Ended", formatDateTime(workflow.completedAt)]);
  if (workflow.pullRequestUrl) {
    facts.push([
      "Pull request",
      <a href={workflow.pullRequestUrl} target="_blank" rel="noreferrer">
        {pullRequestLabel(workflow.pullRequestUrl)}
      </a>,
    ]);
  }
  return (
    <dl className="card facts" aria-label="Details">
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ReviewSummary({ review, round }: { review: Review; round: number }) {
  return (
    <section className="card review" aria-labelledby="review-title">
      <h2 id="review-title">
        Latest review <span className="muted">round {round}</span>
      </h2>
      <p>
        <span className={`verdict ${review.approved ? "approved" : "changes"}`}>
          {review.approved ? "Approved" : "Changes requested"}
        </span>{" "}
        · severity <strong>{review.severity}</strong>
      </p>
      {review.comments.length > 0 ? (
        <ul className="comments">
          {review.comments.map((comment, index) => (
            <li key={index}>{comment}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">No comments.</p>
      )}
    </section>
  );
}
