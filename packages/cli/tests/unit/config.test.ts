import { describe, expect, it } from "vitest";
import { socketUrl } from "@amelia/client";
import { serverConfig } from "../../src/config";
import { UsageError } from "../../src/errors";

describe("serverConfig", () => {
  it("defaults to the local runtime, its WebSocket at /ws, no token", () => {
    expect(serverConfig({})).toEqual({
      apiUrl: "http://127.0.0.1:8420",
      wsUrl: "ws://127.0.0.1:8420/ws",
    });
  });

  it("derives ws(s) from AMELIA_API_URL, keeping its path, without a trailing slash", () => {
    expect(serverConfig({ AMELIA_API_URL: "https://api.example.com/prod/" })).toEqual({
      apiUrl: "https://api.example.com/prod",
      wsUrl: "wss://api.example.com/prod/ws",
    });
  });

  it("takes AMELIA_WS_URL as is when set (the cloud's WebSocket API is its own URL)", () => {
    const config = serverConfig({
      AMELIA_API_URL: "https://api.example.com",
      AMELIA_WS_URL: "wss://ws.example.com/prod",
    });
    expect(config.wsUrl).toBe("wss://ws.example.com/prod");
  });

  it("puts the token in the WebSocket's token parameter, and only there", () => {
    const config = serverConfig({ AMELIA_API_TOKEN: "s3cret&=" });
    expect(config.wsUrl).toBe("ws://127.0.0.1:8420/ws");
    expect(socketUrl(config.wsUrl, config.token)).toBe("ws://127.0.0.1:8420/ws?token=s3cret%26%3D");
    expect(socketUrl(serverConfig({}).wsUrl, undefined)).toBe("ws://127.0.0.1:8420/ws");
  });

  it.each([
    [{ AMELIA_API_URL: "127.0.0.1:8420" }, "AMELIA_API_URL must be a URL starting with http://"],
    [
      { AMELIA_API_URL: "not a url" },
      'must be a URL starting with http:// or https://, not "not a url"',
    ],
    [{ AMELIA_API_URL: "ftp://example.com" }, "starting with http:// or https://"],
    [{ AMELIA_API_URL: "http://example.com/?a=1" }, "must not have a query or fragment"],
    [{ AMELIA_WS_URL: "http://example.com/ws" }, "AMELIA_WS_URL must be a URL starting with ws://"],
  ])("refuses %o as a usage error", (env, message) => {
    expect(() => serverConfig(env)).toThrow(UsageError);
    expect(() => serverConfig(env)).toThrow(message);
  });
});
