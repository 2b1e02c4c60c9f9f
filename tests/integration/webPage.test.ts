import { describe, expect, it } from "vitest";
import { useTestRuntime } from "../support/runtime";

const fixture = useTestRuntime();

describe("the web page", () => {
  it("is the built web UI at / with its script, and says the model is a demo through /api/health", async () => {
    const page = await fetch(`${fixture.runtime.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    // Its own files, API and WebSocket only; no inline script, no remote image, no framing.
    const { host } = new URL(fixture.runtime.url);
    expect(page.headers.get("content-security-policy")).toBe(
      `default-src 'self'; connect-src 'self' ws://${host}; object-src 'none'; ` +
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
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
    // No route: API Gateway's own answer, not a function's.
    expect(await api.json()).toEqual({ message: "Not Found" });
  });

  it("never serves files outside the web root: an escaping path gets the page itself", async () => {
    const index = await (await fetch(`${fixture.runtime.url}/`)).text();
    // packages/web/package.json, the repository's package.json, and past the repository.
    for (const depth of [1, 3, 4]) {
      const escaped = await fetch(`${fixture.runtime.url}/${"..%2f".repeat(depth)}package.json`);
      expect(escaped.status).toBe(200);
      expect(escaped.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await escaped.text()).toBe(index);
    }
  });
});
