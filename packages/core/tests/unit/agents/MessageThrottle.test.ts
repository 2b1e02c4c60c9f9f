import { describe, expect, it } from "vitest";
import { MessageThrottle } from "../../../src/agents/MessageThrottle";

function throttle(options: { maxChars?: number; intervalMs?: number; minChars?: number } = {}) {
  const sent: string[] = [];
  const clock = { now: 0 };
  const instance = new MessageThrottle(
    async (text) => {
      sent.push(text);
    },
    { maxChars: 100, intervalMs: 1_000, minChars: 10, now: () => clock.now, ...options },
  );
  return { instance, sent, clock };
}

describe("the message throttle", () => {
  it("turns many small deltas into a few chunks, cut at a line break", async () => {
    const { instance, sent } = throttle();
    const lines = Array.from({ length: 20 }, (_, i) => `line ${String(i).padStart(2, "0")}`);
    for (const char of lines.join("\n")) instance.push(char);
    await instance.flush();
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(sent.join("\n")).toBe(lines.join("\n"));
    expect(sent.every((chunk) => chunk.length <= 100)).toBe(true);
  });

  it("sends what it has once the interval passed, and nothing blank", async () => {
    const { instance, sent, clock } = throttle();
    instance.push("short");
    clock.now = 5_000;
    instance.push(" but waiting"); // due: the interval passed
    instance.push("   \n ");
    clock.now = 10_000;
    instance.push("  "); // due, but blank
    instance.push("tail");
    await instance.flush();
    expect(sent).toEqual(["short but waiting", "tail"]);
  });

  it("reports a failed send when flushed", async () => {
    const failing = new MessageThrottle(() => Promise.reject(new Error("log closed")));
    failing.push("text");
    await expect(failing.flush()).rejects.toThrow("log closed");
  });
});
