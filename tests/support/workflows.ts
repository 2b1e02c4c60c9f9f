import type { WorkflowEvent } from "../../packages/core/src/events/types";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import type { Api } from "./api";

/** Creates a workflow and waits until the architect has put it at the plan gate. */
export async function createAtPlanGate(api: Api, body: Record<string, unknown>): Promise<Workflow> {
  const created = await api.create(body);
  if (created.status !== 201) {
    throw new Error(`create: HTTP ${created.status} ${JSON.stringify(created.body)}`);
  }
  const blocked = await api.waitForStatus(created.body.id, "blocked");
  if (blocked.gate !== "plan") throw new Error(`expected the plan gate, got ${blocked.gate}`);
  return blocked;
}

/**
 * Approves the plan and waits for the review gate: with AMELIA_MAX_REVIEW_ROUNDS=1, the demo
 * reviewer's round-1 "changes requested" (the developer's draft leaves TODO lines) is the cap.
 */
export async function approveToReviewGate(api: Api, id: string): Promise<Workflow> {
  const approved = await api.approve(id);
  if (approved.status !== 200) {
    throw new Error(`approve: HTTP ${approved.status} ${JSON.stringify(approved.body)}`);
  }
  return api.waitFor(id, (w) => w.status === "blocked" && w.gate === "review");
}

/**
 * Cancels every active workflow, so each test starts with all slots and issues free. Waits for
 * each to settle at a gate (or end) first: cancelling a running agent is legal but fills the log
 * output with the aborted attempt.
 */
export async function cancelAllActive(api: Api): Promise<void> {
  const active = await api.request<{ workflows: Workflow[] }>("GET", "/api/workflows/active");
  if (active.status !== 200) throw new Error(`active: HTTP ${active.status}`);
  for (const workflow of active.body.workflows) {
    await api.waitFor(workflow.id, (w) => w.status !== "in_progress" && w.status !== "pending");
    const cancelled = await api.cancel(workflow.id);
    // 422: it ended on its own between the listing and the cancel.
    if (cancelled.status !== 200 && cancelled.status !== 422) {
      throw new Error(`cancel ${workflow.id}: HTTP ${cancelled.status}`);
    }
  }
}

/** The ids of every stored workflow, newest first (one page of up to 100). */
export async function allWorkflowIds(api: Api): Promise<string[]> {
  const page = await api.request<{ workflows: Workflow[]; nextCursor?: string }>(
    "GET",
    "/api/workflows?limit=100",
  );
  if (page.status !== 200) throw new Error(`list: HTTP ${page.status}`);
  if (page.body.nextCursor !== undefined) throw new Error("more than 100 workflows stored");
  return page.body.workflows.map((w) => w.id);
}

/** The events of one type, narrowed so their `data` is typed. */
export function ofType<T extends WorkflowEvent["type"]>(
  events: readonly WorkflowEvent[],
  type: T,
): Extract<WorkflowEvent, { type: T }>[] {
  return events.filter((e): e is Extract<WorkflowEvent, { type: T }> => e.type === type);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
