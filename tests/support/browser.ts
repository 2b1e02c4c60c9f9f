import { chromium, type Browser, type Page } from "playwright-core";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";
import type { Api } from "./api";
import { findBrowser } from "./testTools";
import { createAtPlanGate } from "./workflows";

/** The machine's Chromium or Chrome (`npm test`'s pretest step installs Debian's where it can). */
export function launchChromium(): Promise<Browser> {
  const browser = findBrowser();
  if (!browser.found) throw new Error(browser.message);
  return chromium.launch({
    executablePath: browser.path,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Opens the app; `errors` collects uncaught script errors, which a test should find empty. */
export async function openApp(
  browser: Browser,
  url: string,
  width = 1280,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

/**
 * Starts a workflow through the API and opens its page once it waits at the plan gate (loading
 * /workflows/<id> directly, as a reload of that client-side route does).
 */
export async function openAtPlanGate(
  browser: Browser,
  api: Api,
  body: Record<string, unknown>,
  width?: number,
): Promise<{ workflow: Workflow; page: Page; errors: string[] }> {
  const workflow = await createAtPlanGate(api, body);
  const app = await openApp(browser, `${api.baseUrl}/workflows/${workflow.id}`, width);
  await app.page.getByRole("button", { name: "Approve", exact: true }).waitFor();
  return { workflow, ...app };
}
