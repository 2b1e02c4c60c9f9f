import { describe, expect, it } from "vitest";
import {
  assertTransition,
  canTransition,
  isActive,
  isTerminal,
  WORKFLOW_STATUSES,
} from "../../src/workflow/status";
import { InvalidStateError } from "../../src/errors";

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
    expect(() => assertTransition("completed", "in_progress")).toThrow(InvalidStateError);
  });

  it("lets a person resume a failed workflow, and nothing else leave a terminal status", () => {
    expect(canTransition("failed", "in_progress")).toBe(true);
    expect(canTransition("failed", "blocked")).toBe(false);
    expect(isTerminal("failed")).toBe(true);
  });

  it("classifies active and terminal statuses", () => {
    expect(WORKFLOW_STATUSES.filter(isActive)).toEqual(["pending", "in_progress", "blocked"]);
    expect(WORKFLOW_STATUSES.filter(isTerminal)).toEqual(["completed", "failed", "cancelled"]);
  });
});
