import { describe, expect, it } from "vitest";
import { socketUrl } from "../../src/socketUrl";

describe("socketUrl", () => {
  it("puts the token in the token query parameter, and nothing without one", () => {
    expect(socketUrl("wss://ws.example/prod", "a b&c")).toBe("wss://ws.example/prod?token=a+b%26c");
    expect(socketUrl("ws://127.0.0.1:8420/ws", "s3cret&=")).toBe(
      "ws://127.0.0.1:8420/ws?token=s3cret%26%3D",
    );
    expect(socketUrl("ws://127.0.0.1:8420/ws", undefined)).toBe("ws://127.0.0.1:8420/ws");
  });
});
