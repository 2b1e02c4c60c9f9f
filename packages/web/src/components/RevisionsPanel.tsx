import { useCallback, useEffect, useRef, useState } from "react";
import type { Workflow } from "@amelia/client";
import { newest } from "../api/newest";
import { actorText, formatDateTime } from "../format";
import { useLiveRefresh } from "../live/hooks";
import { Link, workflowHref } from "../router";
import { useServices } from "../services";
import { ErrorMessage } from "./ErrorMessage";
import { StatusBadge } from "./StatusBadge";

/**
 * The revisions of a workflow's pull request, oldest first: a link to each, and where each
 * stands, read once and kept fresh by its live events.
 */
export function RevisionsPanel({ ids }: { ids: readonly string[] }) {
  const { api, live } = useServices();
  const [revisions, setRevisions] = useState<ReadonlyMap<string, Workflow>>(new Map());
  const [error, setError] = useState<unknown>(null);
  /** Read already (or being read): the owner's every refetch hands over a new `ids` array. */
  const requested = useRef(new Set<string>());

  const load = useCallback(
    (id: string) => {
      api.getWorkflow(id).then((revision) => {
        setRevisions((known) => new Map(known).set(id, newest(known.get(id), revision)));
        setError(null);
      }, setError);
    },
    [api],
  );
  useEffect(() => {
    for (const id of ids) {
      if (requested.current.has(id)) continue;
      requested.current.add(id);
      load(id);
    }
  }, [ids, load]);
  useLiveRefresh(
    live,
    (changed) => ids.includes(changed) && load(changed),
    () => ids.forEach(load),
  );

  return (
    <section className="card revisions" aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revisions</h2>
      <ol className="revision-list">
        {ids.map((id, index) => {
          const revision = revisions.get(id);
          return (
            <li key={id} data-revision={id}>
              <Link href={workflowHref(id)}>Revision {index + 1}</Link>
              {revision && (
                <>
                  <StatusBadge workflow={revision} />
                  <span className="muted">
                    {formatDateTime(revision.createdAt)}
                    {revision.startedBy && ` · ${actorText(revision.startedBy)}`}
                  </span>
                </>
              )}
            </li>
          );
        })}
      </ol>
      <ErrorMessage error={error} />
    </section>
  );
}
