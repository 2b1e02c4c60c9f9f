import type { Workflow } from "@amelia/client";

/**
 * Of two views of one workflow, the later: responses can arrive out of order, and a view of an
 * older point of its log must not overwrite a newer one.
 */
export function newest(current: Workflow | undefined, next: Workflow): Workflow {
  return current && current.lastSequence > next.lastSequence ? current : next;
}
