import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentClient } from "../../packages/core/src/aws/clients";
import { services } from "../../packages/core/src/services";
import { keys } from "../../packages/core/src/store/table";
import { Api } from "../support/api";
import { startTestRuntime, type TestRuntime } from "../support/runtime";

let runtime: TestRuntime;
let api: Api;
beforeAll(async () => {
  runtime = await startTestRuntime();
  api = new Api(runtime.url);
});
afterAll(() => runtime.stop());

describe("the workflow is a projection of its log", () => {
  it("is rebuilt, identical, from the events after its stored item is lost", async () => {
    const { body } = await api.create({ issueId: "REBUILD-1", title: "Rebuild me" });
    await api.waitForStatus(body.id, "blocked");
    await api.approve(body.id);
    const completed = await api.waitForStatus(body.id, "completed");

    await documentClient().send(
      new DeleteCommand({
        TableName: process.env.AMELIA_TABLE_NAME,
        Key: { pk: keys.workflow(body.id), sk: keys.state },
      }),
    );
    expect((await api.get(body.id)).status).toBe(404);

    const rebuilt = await services().workflows.rebuild(body.id);
    expect(rebuilt).toEqual(completed);
    expect((await api.get(body.id)).body).toEqual(completed);
    // Listed again under its status, as before.
    const listed = await api.request<{ workflows: { id: string }[] }>(
      "GET",
      "/api/workflows?status=completed",
    );
    expect(listed.body.workflows.map((w) => w.id)).toContain(body.id);
  });
});

describe("the web page", () => {
  it("is served at / with its script, and says the model is a demo through /api/health", async () => {
    const page = await fetch(`${runtime.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Amelia");
    const script = await fetch(`${runtime.url}/app.js`);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    const health = await api.request<{ checks: { model: { demo: boolean } } }>(
      "GET",
      "/api/health",
    );
    expect(health.body.checks.model.demo).toBe(true);
  });

  it("never serves files outside the web root", async () => {
    const escaped = await fetch(`${runtime.url}/..%2f..%2fpackage.json`);
    expect(await escaped.text()).not.toContain('"workspaces"');
  });
});
