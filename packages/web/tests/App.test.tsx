import type { SocketLike } from "@amelia/client";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { App } from "../src/App";
import { createServices, ServicesContext } from "../src/services";

beforeAll(() => {
  // jsdom has no modal dialogs; a browser opens the <dialog> the same way.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const HEALTH = {
  status: "ok",
  version: "0.1.0",
  checks: { database: "ok", model: { name: "demo", demo: true } },
};

/**
 * The deployed API behind API Gateway: health is open; every other route wants `Bearer right`,
 * and the gateway's authorizer answers for itself, without the product's error code.
 */
function gatewayFetch() {
  return vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    if (String(url).endsWith("/api/health")) return json(200, HEALTH);
    const authorization = new Headers(init?.headers).get("authorization");
    if (!authorization) return json(401, { message: "Unauthorized" });
    if (authorization !== "Bearer right") return json(403, { message: "Forbidden" });
    return json(200, { workflows: [] });
  });
}

function storageWith(token?: string) {
  const values = new Map(token ? [["amelia.apiToken", token]] : []);
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
  };
}

const idleSocket = (): SocketLike => ({
  readyState: 0,
  onopen: null,
  onmessage: null,
  onclose: null,
  send() {},
  close() {},
});

describe("the app behind API Gateway", () => {
  it.each([
    ["a wrong token (403 Forbidden)", "wrong"],
    ["no token (401 Unauthorized)", undefined],
  ])("asks for the token after %s, and goes on with the one given", async (_, stored) => {
    const fetch = gatewayFetch();
    const services = createServices(
      { apiUrl: "https://api.example", wsUrl: "wss://ws.example/prod" },
      { storage: storageWith(stored), fetch, createSocket: idleSocket },
    );
    render(
      <ServicesContext.Provider value={services}>
        <App />
      </ServicesContext.Provider>,
    );

    const dialog = await screen.findByRole("dialog", { name: "API token needed" });
    await userEvent.type(screen.getByLabelText("API token"), "right");
    await userEvent.click(screen.getByRole("button", { name: "Save token" }));

    await screen.findByText("No workflows yet: start one.");
    expect(dialog.isConnected).toBe(false);
    const [url, init] = fetch.mock.calls.at(-1)!;
    expect(String(url)).toBe("https://api.example/api/workflows?limit=50");
    expect(new Headers(init?.headers).get("authorization")).toBe("Bearer right");
  });
});
