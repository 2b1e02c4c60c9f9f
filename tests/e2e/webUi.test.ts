import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oneTo } from "../support/api";
import { launchChromium, openApp, openAtPlanGate } from "../support/browser";
import { useTestRuntime } from "../support/runtime";

const fixture = useTestRuntime();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const timelineSequences = (page: Page) =>
  page
    .getByRole("region", { name: "Event timeline" })
    .locator("li[data-sequence]")
    .evaluateAll((items) => items.map((item) => Number(item.getAttribute("data-sequence"))));

async function waitForStatus(page: Page, status: string, timeout = 20_000): Promise<void> {
  await page.locator(`.workflow-head [data-status="${status}"]`).waitFor({ timeout });
}

describe("the web UI in a browser, against the local runtime", { timeout: 60_000 }, () => {
  it("starts a workflow from the form, shows the plan without a reload, approves it and follows it to completed", async () => {
    const { page, errors } = await openApp(browser, fixture.runtime.url);
    await page.getByText("Offline demo model").waitFor();
    await page.locator('[data-state="open"]').waitFor();
    // Anything that reloads the page would lose this.
    await page.evaluate("window.sameDocument = true");

    // The API's validation error is shown next to the field it names.
    await page.getByLabel("Issue ID").fill("not valid!");
    await page.getByRole("button", { name: "Start workflow" }).click();
    await page.locator(".field-issue").getByText("must be 1-128 characters").waitFor();
    expect(await page.getByLabel("Issue ID").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Issue ID").fill("WEB-1");
    await page.getByLabel("Title").fill("Greet users");
    await page.getByLabel("Description").fill("Show a greeting on the home page. Log it.");
    await page.getByRole("button", { name: "Start workflow" }).click();
    await page.waitForURL(/\/workflows\/[^/]+$/);
    const id = decodeURIComponent(page.url().split("/").pop()!);

    const plan = page.getByLabel("Plan", { exact: true });
    await plan.getByText("Greet users").first().waitFor({ timeout: 20_000 });
    // The plan is recorded a moment before the gate opens on it.
    await waitForStatus(page, "blocked");
    await page.getByRole("button", { name: "Approve", exact: true }).click();

    await waitForStatus(page, "completed");
    expect(await page.getByTestId("stage").textContent()).toBe("Done");
    await page.getByRole("heading", { name: /Latest review/ }).waitFor();
    const events = await fixture.api.events(id);
    await page.locator(`li[data-sequence="${events.length}"]`).waitFor();
    expect(await timelineSequences(page)).toEqual(oneTo(events.length));
    expect(await page.evaluate("window.sameDocument")).toBe(true);

    // The list shows it too, with its status.
    await page.getByRole("link", { name: "← All workflows" }).click();
    const row = page.getByRole("link", { name: /WEB-1/ });
    expect(await row.locator("[data-status]").getAttribute("data-status")).toBe("completed");
    expect(errors).toEqual([]);
  });

  it("rejects with feedback and shows the architect's new plan", async () => {
    const { page, errors } = await openAtPlanGate(browser, fixture.api, { issueId: "WEB-2" });
    const reject = page.getByRole("button", { name: "Reject with feedback" });
    expect(await reject.isDisabled()).toBe(true);

    const feedback = "Also cover the dark mode toggle";
    await page.getByLabel(/Feedback/).fill(feedback);
    expect(await reject.isDisabled()).toBe(false);
    await reject.click();

    await page.getByRole("heading", { name: "Plan round 2" }).waitFor({ timeout: 20_000 });
    await page.getByLabel("Plan", { exact: true }).getByText(feedback).first().waitFor();
    await waitForStatus(page, "blocked");
    await page
      .getByRole("region", { name: "Event timeline" })
      .getByText("approval_rejected")
      .waitFor();
    expect(errors).toEqual([]);
  });

  it("catches up after the server cuts the WebSocket mid-run: every event once, none missing", async () => {
    const { workflow, page, errors } = await openAtPlanGate(browser, fixture.api, {
      issueId: "WEB-3",
    });
    await page.locator('[data-state="open"]').waitFor();
    await page.locator(`li[data-sequence="${workflow.lastSequence}"]`).waitFor();
    const before = await timelineSequences(page);
    expect(before).toEqual(oneTo(workflow.lastSequence));

    expect(fixture.runtime.dropWebSockets()).toBeGreaterThan(0);
    // The run goes on while the browser is disconnected (it waits before reconnecting).
    expect((await fixture.api.approve(workflow.id)).status).toBe(200);
    await page.locator('[data-state="reconnecting"]').waitFor({ timeout: 5_000 });

    await page.locator('[data-state="open"]').waitFor({ timeout: 10_000 });
    await waitForStatus(page, "completed");
    const events = await fixture.api.events(workflow.id);
    await page.locator(`li[data-sequence="${events.length}"]`).waitFor();
    expect(await timelineSequences(page)).toEqual(oneTo(events.length));
    expect(events.length).toBeGreaterThan(before.length);
    expect(errors).toEqual([]);
  });

  it("lists workflows live: one started elsewhere appears, and its status follows", async () => {
    const { page, errors } = await openApp(browser, fixture.runtime.url);
    await page.locator('[data-state="open"]').waitFor();
    await page.getByRole("heading", { name: "Workflows" }).waitFor();

    const created = await fixture.api.create({ issueId: "WEB-LIVE", title: "Started by a script" });
    expect(created.status).toBe(201);
    const row = page.getByRole("link", { name: /WEB-LIVE/ });
    await row.locator('[data-status="blocked"]').waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain("Plan approval");

    await fixture.api.cancel(created.body.id);
    await row.locator('[data-status="cancelled"]').waitFor();
    expect(errors).toEqual([]);
  });

  it("works at 375 px wide", async () => {
    const { page, errors } = await openAtPlanGate(browser, fixture.api, { issueId: "WEB-4" }, 375);
    // Nothing is wider than the screen: no sideways scrolling.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    expect(errors).toEqual([]);
  });
});
