import { describe, expect, it } from "vitest";
import { endpoints } from "../src/config";

describe("endpoints", () => {
  it("default to this host, and come from VITE_API_URL and VITE_WS_URL when set", () => {
    const page = { protocol: "https:", host: "amelia.example" };
    expect(endpoints({}, page)).toEqual({ apiUrl: "", wsUrl: "wss://amelia.example/ws" });
    expect(endpoints({}, { protocol: "http:", host: "127.0.0.1:8420" }).wsUrl).toBe(
      "ws://127.0.0.1:8420/ws",
    );
    expect(
      endpoints(
        { VITE_API_URL: "https://abc.execute-api.example/", VITE_WS_URL: "wss://def.example/prod" },
        page,
      ),
    ).toEqual({ apiUrl: "https://abc.execute-api.example", wsUrl: "wss://def.example/prod" });
  });
});
