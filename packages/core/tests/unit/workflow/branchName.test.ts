import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { branchNameFor } from "../../../src/workflow/branchName";

describe("branchNameFor", () => {
  const isValidBranch = (name: string) => {
    try {
      execFileSync("git", ["check-ref-format", "--branch", name], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };

  it("keeps an ordinary issue id as it is", () => {
    expect(branchNameFor("PROJ-123")).toBe("amelia/PROJ-123");
    expect(branchNameFor("team/#42_fix.v2")).toBe("amelia/team/#42_fix.v2");
  });

  it.each([
    "a..b",
    "a//b",
    "/leading/and/trailing/",
    ".hidden",
    "trailing.",
    "x.lock",
    "a/b.lock/c",
    "feature/.lock",
    "a/./b",
    "...",
    "/",
    "-dash",
    "#",
    "a@{b",
    "@",
    "space and ~^:?*[\\",
    "x".repeat(128),
  ])("makes %j a valid branch name", (issueId) => {
    const name = branchNameFor(issueId);
    expect(name.startsWith("amelia/")).toBe(true);
    expect(isValidBranch(name)).toBe(true);
  });

  it("keeps ids that fold alike on different branches, deterministically", () => {
    expect(branchNameFor("a..b")).not.toBe(branchNameFor("a.b"));
    expect(branchNameFor("a//b")).not.toBe(branchNameFor("a/b"));
    expect(branchNameFor("a..b")).toBe(branchNameFor("a..b"));
  });
});
