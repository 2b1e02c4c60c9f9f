import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openApp } from "../support/browser";
import { useTestRuntime } from "../support/runtime";

const TOKEN = "web-e2e-token";
const fixture = useTestRuntime({ apiToken: TOKEN });
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe("the web UI with auth on", { timeout: 60_000 }, () => {
  it("asks for the token once after a 401, keeps it, and uses it on HTTP and the WebSocket", async () => {
    const { page, errors } = await openApp(browser, fixture.runtime.url);
    const dialog = page.getByRole("dialog", { name: "API token needed" });
    await dialog.waitFor();
    await dialog.getByLabel("API token").fill(TOKEN);
    await dialog.getByRole("button", { name: "Save token" }).click();

    await page.getByText("No workflows yet").waitFor();
    await page.locator('[data-state="open"]').waitFor();
    expect(await dialog.count()).toBe(0);

    // Kept: a reload needs no question, and the live connection is accepted with it.
    await page.reload();
    await page.getByText("No workflows yet").waitFor();
    await page.locator('[data-state="open"]').waitFor();
    expect(await dialog.count()).toBe(0);
    expect(await page.evaluate('localStorage.getItem("amelia.apiToken")')).toBe(TOKEN);
    expect(errors).toEqual([]);
  });
});
