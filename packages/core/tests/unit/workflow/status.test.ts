import { describe, expect, it } from "vitest";
import { InvalidStateError } from "../../../src/errors";
import { EVENT_TYPES } from "../../../src/events/types";
import { assertAccepts, statusChange } from "../../../src/workflow/projection";
import {
  isActive,
  isTerminal,
  WORKFLOW_STATUSES,
  type WorkflowStatus,
} from "../../../src/workflow/status";
import type { Workflow } from "../../../src/workflow/Workflow";

/** Whether some event moves a workflow from one status to the other, by the one table. */
function canTransition(from: WorkflowStatus, to: WorkflowStatus): boolean {
  return EVENT_TYPES.some((type) => {
    const change = statusChange(type);
    return change?.to === to && change.from.includes(from);
  });
}

const workflowIn = (status: WorkflowStatus) => ({ id: "wf-1", status }) as Workflow;

describe("workflow status rules", () => {
  it("allows the contract's happy path", () => {
    expect(canTransition("pending", "in_progress")).toBe(true);
    expect(canTransition("in_progress", "blocked")).toBe(true);
    expect(canTransition("blocked", "in_progress")).toBe(true);
    expect(canTransition("in_progress", "completed")).toBe(true);
  });

  it("lets every non-terminal status fail or be cancelled", () => {
    for (const from of ["pending", "in_progress", "blocked"] as const) {
      expect(canTransition(from, "failed")).toBe(true);
      expect(canTransition(from, "cancelled")).toBe(true);
    }
  });

  it("refuses everything else", () => {
    expect(canTransition("pending", "blocked")).toBe(false);
    expect(canTransition("pending", "completed")).toBe(false);
    expect(canTransition("blocked", "completed")).toBe(false);
    expect(canTransition("blocked", "blocked")).toBe(false);
    for (const to of WORKFLOW_STATUSES) {
      expect(canTransition("completed", to)).toBe(false);
      expect(canTransition("cancelled", to)).toBe(false);
      expect(canTransition("failed", to)).toBe(to === "in_progress");
    }
    expect(() => assertAccepts(workflowIn("completed"), "workflow_resumed")).toThrow(
      InvalidStateError,
    );
  });

  it("lets a person resume a failed workflow, and nothing else leave a terminal status", () => {
    expect(canTransition("failed", "in_progress")).toBe(true);
    expect(canTransition("failed", "blocked")).toBe(false);
    expect(isTerminal("failed")).toBe(true);
    expect(() => assertAccepts(workflowIn("failed"), "workflow_resumed")).not.toThrow();
    for (const status of ["failed", "completed", "cancelled"] as const) {
      expect(() => assertAccepts(workflowIn(status), "agent_message")).toThrow(
        `Workflow wf-1 is ${status}`,
      );
    }
  });

  it("refuses to record an event whose status change does not start where the workflow is (422)", () => {
    for (const status of WORKFLOW_STATUSES) {
      for (const type of EVENT_TYPES) {
        const change = statusChange(type);
        if (!change || isTerminal(status)) continue;
        const record = () => assertAccepts(workflowIn(status), type);
        if (change.from.includes(status)) expect(record).not.toThrow();
        else expect(record).toThrow(`A ${status} workflow cannot become ${change.to}`);
      }
    }
    expect(() => assertAccepts(workflowIn("blocked"), "approval_required")).toThrow(
      expect.objectContaining({ statusCode: 422, details: { from: "blocked", to: "blocked" } }),
    );
    // Events that change no status are taken by every active workflow.
    for (const status of ["pending", "in_progress", "blocked"] as const) {
      expect(() => assertAccepts(workflowIn(status), "agent_message")).not.toThrow();
    }
  });

  it("classifies active and terminal statuses", () => {
    expect(WORKFLOW_STATUSES.filter(isActive)).toEqual(["pending", "in_progress", "blocked"]);
    expect(WORKFLOW_STATUSES.filter(isTerminal)).toEqual(["completed", "failed", "cancelled"]);
  });
});
