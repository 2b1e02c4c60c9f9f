import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient } from "../../packages/core/src/aws/clients";
import { services } from "../../packages/core/src/services";
import { keys } from "../../packages/core/src/store/table";
import { useTestRuntime } from "../support/runtime";

const fixture = useTestRuntime();

describe("the workflow is a projection of its log", () => {
  it("is rebuilt, identical, from the events after its stored item is lost", async () => {
    const { body } = await fixture.api.create({ issueId: "REBUILD-1", title: "Rebuild me" });
    await fixture.api.waitForStatus(body.id, "blocked");
    await fixture.api.approve(body.id);
    const completed = await fixture.api.waitForStatus(body.id, "completed");

    await documentClient().send(
      new DeleteCommand({
        TableName: process.env.AMELIA_TABLE_NAME,
        Key: { pk: keys.workflow(body.id), sk: keys.state },
      }),
    );
    expect((await fixture.api.get(body.id)).status).toBe(404);

    const rebuilt = await services().workflows.rebuild(body.id);
    expect(rebuilt).toEqual(completed);
    expect((await fixture.api.get(body.id)).body).toEqual(completed);
    // Listed again under its status, as before.
    const listed = await fixture.api.request<{ workflows: { id: string }[] }>(
      "GET",
      "/api/workflows?status=completed",
    );
    expect(listed.body.workflows.map((w) => w.id)).toContain(body.id);
  });
});

describe("the web page", () => {
  it("is the built web UI at / with its script, and says the model is a demo through /api/health", async () => {
    const page = await fetch(`${fixture.runtime.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("<title>Amelia</title>");
    const scriptPath = /<script type="module"[^>]*src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(scriptPath).toBeDefined();
    const script = await fetch(`${fixture.runtime.url}${scriptPath}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    // Named after its content by the build, so browsers may keep it.
    expect(script.headers.get("cache-control")).toContain("immutable");
    const health = await fixture.api.request<{ checks: { model: { demo: boolean } } }>(
      "GET",
      "/api/health",
    );
    expect(health.body.checks.model.demo).toBe(true);
  });

  it("answers a client-side route with the page on reload, and leaves /api to the API", async () => {
    const index = await (await fetch(`${fixture.runtime.url}/`)).text();
    const route = await fetch(`${fixture.runtime.url}/workflows/some-workflow-id`);
    expect(route.status).toBe(200);
    expect(route.headers.get("cache-control")).toBe("no-cache");
    expect(await route.text()).toBe(index);
    const api = await fetch(`${fixture.runtime.url}/api/no-such-route`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: "NOT_FOUND" });
  });

  it("never serves files outside the web root", async () => {
    const escaped = await fetch(`${fixture.runtime.url}/..%2f..%2fpackage.json`);
    expect(await escaped.text()).not.toContain('"workspaces"');
  });
});
