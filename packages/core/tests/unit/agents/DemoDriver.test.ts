import { describe, expect, it } from "vitest";
import type { AgentContext, PlanRequest } from "../../../src/agents/AgentDriver";
import { DemoDriver, demoDocumentPath } from "../../../src/agents/DemoDriver";
import { addedLines } from "../../../src/agents/diff";
import type { Workspace } from "../../../src/workspace/Workspace";

/** The demo architect and reviewer work from the request alone: any workspace access throws. */
const untouched = new Proxy({} as Workspace, {
  get(_target, property) {
    throw new Error(`the demo driver read workspace.${String(property)}`);
  },
});

function silentContext(): AgentContext & { said: string[] } {
  const said: string[] = [];
  return {
    said,
    say: async (message) => {
      said.push(message);
    },
    reportUsage: async () => {},
  };
}

const planRequest: PlanRequest = {
  issue: {
    issueId: "PROJ-7",
    title: "Add a dark mode",
    description: "- Add a theme toggle to the settings page\n- Remember the choice\n",
  },
  round: 1,
  files: ["README.md", "src/settings/page.ts", "src/theme.ts", "src/index.ts"],
};

describe("DemoDriver architect", () => {
  it("is deterministic: the same request gives the same plan and messages", async () => {
    const [a, b] = [silentContext(), silentContext()];
    const first = await new DemoDriver().plan(planRequest, untouched, a);
    const second = await new DemoDriver().plan(structuredClone(planRequest), untouched, b);
    expect(second.plan).toBe(first.plan);
    expect(b.said).toEqual(a.said);
  });

  it("writes a labelled markdown plan from the issue", async () => {
    const ctx = silentContext();
    const { plan } = await new DemoDriver().plan(planRequest, untouched, ctx);
    expect(plan).toMatch(/^# Plan: Add a dark mode\n/);
    expect(plan).toContain("Demo model (offline)");
    expect(plan).toContain("1. Add a theme toggle to the settings page\n2. Remember the choice\n");
    expect(plan).toContain("`docs/amelia/proj-7.md`");
    expect(plan).toContain("## Acceptance criteria");
    expect(plan).toContain("`src/settings/page.ts`");
    expect(plan).not.toContain("## Revision");
    expect(ctx.said.every((message) => message.startsWith("Demo model (offline)"))).toBe(true);
  });

  it("takes steps from the description's sentences, or defaults without one", async () => {
    const ctx = silentContext();
    const fromSentences = await new DemoDriver().plan(
      {
        ...planRequest,
        issue: { issueId: "X-1", description: "Parse the file. Then report errors! Done?" },
      },
      untouched,
      ctx,
    );
    expect(fromSentences.plan).toContain("1. Parse the file\n2. Then report errors\n3. Done\n");
    const bare = await new DemoDriver().plan(
      { ...planRequest, issue: { issueId: "X-2" } },
      untouched,
      ctx,
    );
    expect(bare.plan).toContain("1. Work out what issue X-2 asks for");
    expect(bare.plan).toContain("no description");
  });

  it("re-plans with the feedback quoted and turned into new steps", async () => {
    const ctx = silentContext();
    const driver = new DemoDriver();
    const { plan: first } = await driver.plan(planRequest, untouched, ctx);
    const { plan } = await driver.plan(
      { ...planRequest, round: 2, previousPlan: first, feedback: "Also support the system theme." },
      untouched,
      ctx,
    );
    expect(plan).toContain("## Revision (round 2)");
    expect(plan).toContain("> Also support the system theme.");
    expect(plan).toContain("3. Revision: Also support the system theme\n");
    expect(plan).toContain("1. Add a theme toggle to the settings page");
  });
});

describe("DemoDriver reviewer", () => {
  const diff = [
    "diff --git a/docs/x.md b/docs/x.md",
    "new file mode 100644",
    "--- /dev/null",
    "+++ b/docs/x.md",
    "@@ -0,0 +1,3 @@",
    "+# X",
    "+- TODO: verify step 1",
    "+done",
    "diff --git a/src/a.ts b/src/a.ts",
    "--- a/src/a.ts",
    "+++ b/src/a.ts",
    "@@ -10,3 +10,3 @@ function a() {",
    " keep",
    "-// TODO old",
    "+// fixed",
    " keep",
    "",
  ].join("\n");

  const request = { issue: { issueId: "X" }, plan: "# Plan", round: 1 };

  it("finds added lines with their file and line number", () => {
    expect(addedLines(diff)).toEqual([
      { path: "docs/x.md", line: 1, text: "# X" },
      { path: "docs/x.md", line: 2, text: "- TODO: verify step 1" },
      { path: "docs/x.md", line: 3, text: "done" },
      { path: "src/a.ts", line: 11, text: "// fixed" },
    ]);
  });

  it("requests changes for each added TODO line, but not removed ones", async () => {
    const { review } = await new DemoDriver().review(
      { ...request, diff },
      untouched,
      silentContext(),
    );
    expect(review).toEqual({
      approved: false,
      severity: "minor",
      comments: ["docs/x.md:2 — resolve this TODO: - TODO: verify step 1"],
    });
  });

  it("refuses an empty diff as critical and approves a clean one", async () => {
    const driver = new DemoDriver();
    const empty = await driver.review({ ...request, diff: "\n" }, untouched, silentContext());
    expect(empty.review).toMatchObject({ approved: false, severity: "critical" });
    const clean = await driver.review(
      { ...request, diff: diff.replace("TODO: verify", "Verified") },
      untouched,
      silentContext(),
    );
    expect(clean.review).toEqual({ approved: true, severity: "none", comments: [] });
  });

  it("names the developer's document after the issue", () => {
    expect(demoDocumentPath("PROJ-7")).toBe("docs/amelia/proj-7.md");
    expect(demoDocumentPath("team/#42")).toBe("docs/amelia/team-42.md");
    expect(demoDocumentPath("...")).toBe("docs/amelia/issue.md");
  });
});
