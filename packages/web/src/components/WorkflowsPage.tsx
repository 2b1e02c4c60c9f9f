import { useCallback, useEffect, useState } from "react";
import type { WorkflowPage as Page, Workflow, WorkflowStatus } from "@amelia/client";
import { newest } from "../api/newest";
import { formatDateTime, formatSpend, STAGE_LABELS, STATUS_LABELS } from "../format";
import { useLiveRefresh } from "../live/hooks";
import { isActive } from "@amelia/core/workflow/status";
import { Link, workflowHref } from "../router";
import { useServices } from "../services";
import { Choice } from "./Choice";
import { ErrorMessage } from "./ErrorMessage";
import { RevisionBadge } from "./RevisionBadge";
import { StartWorkflowForm } from "./StartWorkflowForm";
import { StatusBadge } from "./StatusBadge";

type Filter = "" | "active" | WorkflowStatus;

function matches(filter: Filter, workflow: Workflow): boolean {
  if (filter === "active") return isActive(workflow.status);
  return !filter || workflow.status === filter;
}

const newestFirst = (a: Workflow, b: Workflow) => b.createdAt.localeCompare(a.createdAt);

/** Active and recent workflows, kept current by the live `*` subscription. */
function useWorkflowList(filter: Filter) {
  const { api, live } = useServices();
  const [page, setPage] = useState<Page>();
  const [error, setError] = useState<unknown>(null);

  const fetchPage = useCallback(
    (cursor?: string) =>
      filter === "active"
        ? api.activeWorkflows()
        : api.listWorkflows({ ...(filter && { status: filter }), ...(cursor && { cursor }) }),
    [api, filter],
  );
  const load = useCallback(() => {
    fetchPage().then((loaded) => {
      setPage(loaded);
      setError(null);
    }, setError);
  }, [fetchPage]);

  useEffect(() => {
    setPage(undefined);
    load();
  }, [load]);

  const refresh = (id: string) => {
    api.getWorkflow(id).then((workflow) => {
      setPage((current) => {
        if (!current) return current;
        const others = current.workflows.filter((w) => w.id !== workflow.id);
        const known = current.workflows.find((w) => w.id === workflow.id);
        const latest = newest(known, workflow);
        return {
          ...current,
          workflows: matches(filter, latest) ? [...others, latest].sort(newestFirst) : others,
        };
      });
    }, setError);
  };
  useLiveRefresh(live, refresh, load);

  const loadMore = () => {
    if (!page?.nextCursor) return;
    fetchPage(page.nextCursor).then((more) => {
      setPage((current) => ({
        workflows: [
          ...(current?.workflows ?? []),
          ...more.workflows.filter((w) => !current?.workflows.some((c) => c.id === w.id)),
        ],
        ...(more.nextCursor && { nextCursor: more.nextCursor }),
      }));
    }, setError);
  };

  return { page, error, loadMore };
}

export function WorkflowsPage() {
  const [filter, setFilter] = useState<Filter>("");
  const { page, error, loadMore } = useWorkflowList(filter);

  return (
    <main className="page home">
      <section className="card workflows" aria-labelledby="workflows-title">
        <div className="list-head">
          <h1 id="workflows-title">Workflows</h1>
          <Choice
            label="Status"
            value={filter}
            options={{ "": "All", active: "Active", ...STATUS_LABELS }}
            onChange={setFilter}
          />
        </div>
        <ErrorMessage error={error} />
        {!page && !error && <p className="muted">Loading…</p>}
        {page?.workflows.length === 0 && (
          <p className="muted">
            {filter ? "No workflow matches." : "No workflows yet: start one."}
          </p>
        )}
        {page && page.workflows.length > 0 && (
          <ul className="workflow-list">
            {page.workflows.map((workflow) => (
              <li key={workflow.id}>
                <Link href={workflowHref(workflow.id)} className="workflow-row">
                  <span className="row-title">
                    <span className="issue-id">{workflow.issueId}</span>
                    {workflow.title && <span className="title"> {workflow.title}</span>}
                    {workflow.kind === "revision" && (
                      <>
                        {" "}
                        <RevisionBadge />
                      </>
                    )}
                  </span>
                  <StatusBadge workflow={workflow} />
                  <span className="row-meta">
                    <span>{STAGE_LABELS[workflow.stage]}</span>
                    <span>{formatSpend(workflow)}</span>
                    <time dateTime={workflow.createdAt}>{formatDateTime(workflow.createdAt)}</time>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        {page?.nextCursor && (
          <button type="button" onClick={loadMore}>
            Load more
          </button>
        )}
      </section>
      <StartWorkflowForm />
    </main>
  );
}
