import type { Workflow } from "@amelia/client";
import { STATUS_LABELS } from "../format";

/** The status; a workflow stopped for more budget waits for that, not for an approval. */
export function StatusBadge({ workflow }: { workflow: Pick<Workflow, "status" | "gate"> }) {
  const { status, gate } = workflow;
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {status === "blocked" && gate === "budget" ? "Waiting for budget" : STATUS_LABELS[status]}
    </span>
  );
}
