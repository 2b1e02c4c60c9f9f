import type { WorkflowStatus } from "@amelia/client";
import { STATUS_LABELS } from "../format";

export function StatusBadge({ status }: { status: WorkflowStatus }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
