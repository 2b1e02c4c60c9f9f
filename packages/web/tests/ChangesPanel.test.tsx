import type { DiffFile, WorkflowDiff } from "@amelia/client";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { WorkflowPage } from "../src/components/WorkflowPage";
import { FakeAmelia, renderWith } from "./support/fakeAmelia";

const COMMENT = "docs/amelia/rev-1.md:3 — resolve this TODO: - TODO: verify step 1";

const added = (path: string, lines: string[]): DiffFile => ({
  path,
  status: "added",
  additions: lines.length,
  deletions: 0,
  binary: false,
  newMode: "100644",
  hunks: [
    {
      oldStart: 0,
      oldLines: 0,
      newStart: 1,
      newLines: lines.length,
      lines: lines.map((line) => `+${line}`),
    },
  ],
});

function roundDiff(
  round: number,
  commit: string,
  files: DiffFile[],
): Omit<WorkflowDiff, "workflowId" | "rounds"> {
  return {
    round,
    baseCommit: "b".repeat(40),
    commit,
    files,
    totals: {
      files: files.length,
      additions: files.reduce((sum, file) => sum + file.additions, 0),
      deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    },
    truncated: files.some((file) => file.truncated),
  };
}

const ROUND_1 = roundDiff(1, "c1".repeat(20), [
  added("docs/amelia/rev-1.md", ["# Log greetings", "", "- TODO: verify step 1", "- Count them"]),
  { ...added("logo.png", []), binary: true, hunks: [] },
]);

/** A workflow whose developer committed round 1 and whose reviewer's comment now waits for a person. */
function atReviewGate(amelia: FakeAmelia, id = "wf-1") {
  amelia.create(id, { issueId: "REV-1", title: "Log greetings" });
  amelia.record(id, "workflow_started", { executionArn: "arn:1" });
  amelia.setDiff(id, ROUND_1);
  amelia.record(id, "stage_completed", { stage: "developer", commit: ROUND_1.commit });
  const review = {
    approved: false,
    severity: "minor" as const,
    comments: [COMMENT, "Overall: close"],
  };
  amelia.record(id, "review_completed", { ...review, round: 1 });
  amelia.record(id, "approval_required", { gate: "review", review });
}

const changes = () => screen.getByRole("region", { name: "Changes" });
/** A line of code as shown, its highlighting tokens joined. */
const codeLine = (text: string) =>
  screen.findByText(
    (_, element) => element?.matches("td.diff-code") === true && element.textContent === text,
  );
const fileSection = (path: string) => within(changes()).getByRole("region", { name: path });

describe("the Changes panel", () => {
  it("is open at the review gate: the files with their counts, the added lines, the comment at its line", async () => {
    const amelia = new FakeAmelia();
    atReviewGate(amelia);
    renderWith(amelia, <WorkflowPage id="wf-1" />);

    const file = await within(await screen.findByRole("region", { name: "Changes" })).findByRole(
      "region",
      { name: "docs/amelia/rev-1.md" },
    );
    expect(screen.getByRole("button", { name: "Hide changes" }).getAttribute("aria-expanded")).toBe(
      "true",
    );
    const list = within(changes()).getByRole("table", { name: "Files changed" });
    const rows = within(list)
      .getAllByRole("row")
      .map((row) => row.textContent);
    expect(rows).toEqual([
      "FileStatusAddedRemoved",
      "docs/amelia/rev-1.mdadded+4−0",
      "logo.pngadded, binary+0−0",
      "Total: 2 files+4−0",
    ]);
    expect(within(fileSection("logo.png")).getByText("Binary file, not shown.")).toBeTruthy();

    // The reviewer's comment is the row right after line 3, the line it names.
    const line = (await codeLine("- TODO: verify step 1")).closest("tr")!;
    expect(file.contains(line)).toBe(true);
    expect(within(line).getByText("3")).toBeTruthy();
    const next = line.nextElementSibling as HTMLElement;
    expect(
      within(next).getByRole("list", { name: "Review comments on this line" }).textContent,
    ).toBe(`Reviewer ${COMMENT}`);
    // Beside the review and the decision.
    const desk = changes().parentElement!;
    expect(within(desk).getByRole("heading", { name: /Latest review/ })).toBeTruthy();
    expect(within(desk).getByRole("heading", { name: "Your decision" })).toBeTruthy();
  });

  it("shows a new round without a reload when the developer's commit arrives, and any round on request", async () => {
    const amelia = new FakeAmelia();
    atReviewGate(amelia);
    renderWith(amelia, <WorkflowPage id="wf-1" />);
    await codeLine("- TODO: verify step 1");

    amelia.record("wf-1", "approval_rejected", { gate: "review", feedback: "Resolve the TODOs" });
    const round2 = roundDiff(2, "c2".repeat(20), [
      added("docs/amelia/rev-1.md", ["# Log greetings", "", "- Verify step 1", "- Count them"]),
    ]);
    amelia.setDiff("wf-1", round2);
    amelia.record("wf-1", "stage_completed", { stage: "developer", commit: round2.commit });

    await codeLine("- Verify step 1");
    const shown = [...changes().querySelectorAll("td.diff-code")].map((cell) => cell.textContent);
    expect(shown).toEqual(["# Log greetings", " ", "- Verify step 1", "- Count them"]);
    // The comment was about round 1: not placed on round 2's lines.
    expect(
      within(changes()).queryByRole("list", { name: "Review comments on this line" }),
    ).toBeNull();
    expect(amelia.requests.filter((request) => request.endsWith("/diff"))).toHaveLength(2);

    await userEvent.selectOptions(within(changes()).getByLabelText("Round"), "1");
    await codeLine("- TODO: verify step 1");
    expect(amelia.requests).toContain("GET /api/workflows/wf-1/diff?round=1");
    expect(
      within(changes()).getByRole("list", { name: "Review comments on this line" }),
    ).toBeTruthy();
  });

  it("opens only the first few short files of a long diff, and the others when asked", async () => {
    const amelia = new FakeAmelia();
    amelia.create("wf-1");
    const lines = (count: number) => Array.from({ length: count }, (_, index) => `line ${index}`);
    // 5,000 lines in all: one long file first, then many short ones.
    const files = [
      added("src/long.ts", lines(600)),
      ...Array.from({ length: 44 }, (_, index) => added(`src/file${index}.ts`, lines(100))),
    ];
    amelia.setDiff("wf-1", roundDiff(1, "c1".repeat(20), files));
    amelia.record("wf-1", "stage_completed", { stage: "developer", commit: "c1".repeat(20) });
    const { container } = renderWith(amelia, <WorkflowPage id="wf-1" />);

    // Not at a gate: the changes wait to be shown.
    await userEvent.click(await screen.findByRole("button", { name: "Show changes" }));
    await within(changes()).findByRole("region", { name: "src/file0.ts" });
    const toggles = within(changes()).getAllByRole("button", { expanded: true });
    expect(toggles.map((toggle) => toggle.textContent)).toEqual([
      "Hide changes",
      "src/file0.ts",
      "src/file1.ts",
      "src/file2.ts",
    ]);
    expect(container.querySelectorAll(".diff-line")).toHaveLength(300);

    const long = within(fileSection("src/long.ts")).getByRole("button", { name: "src/long.ts" });
    expect(long.getAttribute("aria-expanded")).toBe("false");
    await userEvent.click(long);
    expect(long.getAttribute("aria-expanded")).toBe("true");
    expect(container.querySelectorAll(".diff-line")).toHaveLength(900);

    // A file of the list opens where it is.
    const list = within(changes()).getByRole("table", { name: "Files changed" });
    await userEvent.click(within(list).getByRole("button", { name: "src/file20.ts" }));
    const opened = within(fileSection("src/file20.ts")).getByRole("button", {
      name: "src/file20.ts",
    });
    expect(opened.getAttribute("aria-expanded")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(opened));
  });

  it("marks a cut file with what it shows and how to see the rest, and links GitHub's views", async () => {
    const amelia = new FakeAmelia();
    amelia.create("wf-1");
    const shown = added("big.txt", ["one", "two"]);
    // The hunk the cut fell before keeps its header, without lines.
    const cutHunk = { oldStart: 0, oldLines: 0, newStart: 3, newLines: 19_998, lines: [] };
    const diff = roundDiff(1, "c1".repeat(20), [
      {
        ...shown,
        additions: 20_000,
        hunks: [{ ...shown.hunks[0]!, newLines: 2 }, cutHunk],
        truncated: { shownLines: 2, totalLines: 20_000 },
      },
    ]);
    const compare = "https://github.com/octo/app/compare/bbb...ccc";
    amelia.setDiff("wf-1", {
      ...diff,
      links: { commit: "https://github.com/octo/app/commit/ccc", compare },
    });
    amelia.record("wf-1", "stage_completed", { stage: "developer", commit: diff.commit });
    renderWith(amelia, <WorkflowPage id="wf-1" />);
    await userEvent.click(await screen.findByRole("button", { name: "Show changes" }));

    const marker = await within(changes()).findByRole("note");
    expect(
      [...changes().querySelectorAll(".hunk-header")].map((header) => header.textContent),
    ).toEqual(["@@ -0,0 +1,2 @@", "@@ -0,0 +3,19998 @@"]);
    expect(changes().querySelectorAll("td.diff-code")).toHaveLength(2);
    expect(marker.textContent).toBe(
      "2 of 20,000 lines shown. See the rest with amelia diff wf-1 --round 1 or on GitHub.",
    );
    expect(within(marker).getByRole("link", { name: "on GitHub" }).getAttribute("href")).toBe(
      compare,
    );
    const links = within(changes()).getByRole("list", { name: "On GitHub" });
    expect(
      within(links)
        .getAllByRole("link")
        .map((link) => link.textContent),
    ).toEqual(["Commit on GitHub", "Comparison with the base"]);
  });

  it("switches between unified and side by side with a toggle button", async () => {
    const amelia = new FakeAmelia();
    atReviewGate(amelia);
    const { container } = renderWith(amelia, <WorkflowPage id="wf-1" />);
    await codeLine("- TODO: verify step 1");

    const toggle = within(changes()).getByRole("button", { name: "Side by side" });
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    expect(container.querySelector("table.diff-unified")).toBeTruthy();
    await userEvent.click(toggle);
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    await waitFor(() => expect(container.querySelector("table.diff-split")).toBeTruthy());
  });
});
