import { rm } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewCommentLocation } from "../../packages/client/src/diff";
import { demoDocumentPath } from "../../packages/core/src/agents/DemoDriver";
import { launchChromium, openApp } from "../support/browser";
import { createGitRepository } from "../support/git";
import { useTestRuntime } from "../support/runtime";
import { approveToReviewGate, createAtPlanGate } from "../support/workflows";

// One review round: the demo reviewer's round-1 comments stop the workflow at the review gate.
const fixture = useTestRuntime({ env: { AMELIA_MAX_REVIEW_ROUNDS: "1" } });
let browser: Browser;
const repositories: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(repositories.map((r) => rm(r, { recursive: true, force: true })));
});

async function atReviewGate(issueId: string) {
  const repository = await createGitRepository();
  repositories.push(repository);
  const planned = await createAtPlanGate(fixture.api, {
    issueId,
    title: "Log greetings",
    description: "Log each greeting. Count greetings per day.",
    repository,
  });
  return approveToReviewGate(fixture.api, planned.id);
}

const changes = (page: Page) => page.getByRole("region", { name: "Changes" });

/** The code of each line shown, by the side and kind react-diff-view gives it. */
const codeLines = (page: Page, kind: "insert" | "delete" | "normal") =>
  changes(page)
    .locator(`td.diff-code-${kind}`)
    .evaluateAll((cells) => cells.map((cell) => cell.textContent ?? ""));

/** For each line comment: its text, and the line numbers and code of the diff row it follows. */
const lineComments = (page: Page) =>
  changes(page)
    .getByRole("list", { name: "Review comments on this line" })
    .evaluateAll((lists) =>
      lists.map((list) => {
        const row = list.closest("tr")!.previousElementSibling!;
        const cells = [...row.querySelectorAll("td")];
        return {
          comment: list.textContent,
          lineNumbers: cells.filter((c) => c.matches(".diff-gutter")).map((c) => c.textContent),
          code: cells.filter((c) => c.matches(".diff-code")).map((c) => c.textContent),
        };
      }),
    );

describe("the Changes panel in a browser, at the review gate", { timeout: 90_000 }, () => {
  it("shows the round's lines with the reviewer's comment at its line, follows a new round live, fits 375 px", async () => {
    const workflow = await atReviewGate("CHG-1");
    const path = demoDocumentPath("CHG-1");
    const [comment] = workflow.review!.comments;
    const location = reviewCommentLocation(comment!)!;
    expect(location.path).toBe(path);

    const { page, errors } = await openApp(
      browser,
      `${fixture.api.baseUrl}/workflows/${workflow.id}`,
    );
    await page.evaluate("window.sameDocument = true");
    const file = changes(page).getByRole("region", { name: path });
    await file.locator("td.diff-code").first().waitFor({ timeout: 20_000 });
    const added = await codeLines(page, "insert");
    expect(added.some((line) => line.includes("TODO: verify step 1"))).toBe(true);

    // Beside the line it names: the row right before the comment is that line, added in round 1.
    const placed = await lineComments(page);
    const located = workflow.review!.comments.filter((text) => reviewCommentLocation(text));
    expect(placed.map((each) => each.comment)).toEqual(located.map((text) => `Reviewer ${text}`));
    expect(placed[0]!.lineNumbers).toContain(String(location.line));
    expect(comment).toContain(placed[0]!.code.join("").trim());
    const review = page.getByRole("region", { name: /Latest review/ });
    const [reviewBox, changesBox] = [await review.boundingBox(), await changes(page).boundingBox()];
    expect(changesBox!.x).toBeGreaterThan(reviewBox!.x + reviewBox!.width - 1);

    // At 375 px: the page itself never scrolls sideways; the diff wraps or scrolls inside.
    const narrow = await openApp(browser, `${fixture.api.baseUrl}/workflows/${workflow.id}`, 375);
    await changes(narrow.page).locator("td.diff-code").first().waitFor({ timeout: 20_000 });
    await changes(narrow.page)
      .getByRole("list", { name: "Review comments on this line" })
      .first()
      .waitFor();
    expect(await narrow.page.evaluate("document.documentElement.scrollWidth <= innerWidth")).toBe(
      true,
    );
    await narrow.page.close();
    expect(narrow.errors).toEqual([]);

    // Rejected with feedback: round 2's commit refreshes the panel, no reload.
    await page.getByLabel(/Feedback/).fill("Verify every step");
    await page.getByRole("button", { name: "Reject with feedback" }).click();
    await changes(page)
      .getByText(/^Round 2:/)
      .waitFor({ timeout: 30_000 });
    await file.locator("td.diff-code").first().waitFor();
    const round2 = await codeLines(page, "insert");
    expect(round2.length).toBeGreaterThan(0);
    expect(round2.some((line) => line.includes("TODO"))).toBe(false);
    expect(await page.evaluate("window.sameDocument")).toBe(true);
    expect(errors).toEqual([]);
  });

  it("keeps the list's status badges compact pills at 375 px, the titles the row's width", async () => {
    for (const title of ["Greet users on the home page", "Supercalifragilistic".repeat(4)]) {
      await createAtPlanGate(fixture.api, { issueId: `LIST-${title.length}`, title });
    }
    const { page, errors } = await openApp(browser, fixture.api.baseUrl, 375);
    const rows = page.locator(".workflow-row", { hasText: "LIST-" });
    await rows.locator('[data-status="blocked"]').nth(1).waitFor({ timeout: 20_000 });
    const sizes = await rows.evaluateAll((links) =>
      links.map((link) => {
        const badge = link.querySelector("[data-status]")!.getBoundingClientRect();
        const title = link.querySelector(".row-title")!.getBoundingClientRect();
        const row = link.getBoundingClientRect();
        return { badgeHeight: badge.height, titleShare: title.width / row.width };
      }),
    );
    expect(sizes).toHaveLength(2);
    for (const { badgeHeight, titleShare } of sizes) {
      // One line of 0.85rem text: a pill, not a blob.
      expect(badgeHeight).toBeLessThan(30);
      // The badge never squeezes the title into a column of a few letters.
      expect(titleShare).toBeGreaterThan(0.6);
    }
    expect(await page.evaluate("document.documentElement.scrollWidth <= innerWidth")).toBe(true);
    expect(errors).toEqual([]);
  });
});
