/**
 * `npm run screenshot`: the README's pictures of the workflow page, waiting at the review gate
 * with the round's change beside the review, and once completed with the checks of each round,
 * taken from a fresh local runtime with the offline demo model.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { launchChromium, openApp } from "../support/browser";
import { startTestRuntime } from "../support/runtime";
import { buildWeb } from "../support/webBuild";
import { Api } from "../support/api";
import { createAtPlanGate } from "../support/workflows";

const OUTPUT = path.resolve("docs/images/workflow-page.png");
const CHECKS_OUTPUT = path.resolve("docs/images/workflow-checks.png");

process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
await buildWeb();
// One review round: the demo reviewer's round-1 comments stop the workflow for a person.
const runtime = await startTestRuntime({ env: { AMELIA_MAX_REVIEW_ROUNDS: "1" } });
const browser = await launchChromium();
try {
  const api = new Api(runtime.url);
  const workflow = await createAtPlanGate(api, {
    issueId: "DEMO-42",
    title: "Greet users on the home page",
    description: "Show a greeting on the home page. Log each greeting.",
  });
  await api.approve(workflow.id);
  await api.waitFor(workflow.id, (w) => w.status === "blocked" && w.gate === "review", 120_000);
  const { page } = await openApp(browser, `${runtime.url}/workflows/${workflow.id}`);
  await page.setViewportSize({ width: 1280, height: 1100 });
  await page.locator('[data-state="open"]').waitFor();
  const changes = page.getByRole("region", { name: "Changes" });
  await changes.getByRole("list", { name: "Review comments on this line" }).first().waitFor();
  await mkdir(path.dirname(OUTPUT), { recursive: true });
  await page.screenshot({ path: OUTPUT });
  console.log(`Saved ${path.relative(process.cwd(), OUTPUT)}`);

  await api.reject(workflow.id, "Verify every step.");
  await api.waitForStatus(workflow.id, "completed", 120_000);
  const checks = page.locator("section.checks");
  await checks.getByRole("region", { name: "Round 2" }).waitFor();
  await checks.screenshot({ path: CHECKS_OUTPUT });
  console.log(`Saved ${path.relative(process.cwd(), CHECKS_OUTPUT)}`);
} finally {
  await browser.close();
  await runtime.stop();
}
