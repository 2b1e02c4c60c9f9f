import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import {
  systemBlocks,
  trimConversation,
  withConversationBreakpoint,
} from "../../../../src/agents/anthropic/conversation";

const result = (id: string, content: string): MessageParam => ({
  role: "user",
  content: [{ type: "tool_result", tool_use_id: id, content }],
});
const asked = (id: string): MessageParam => ({
  role: "assistant",
  content: [{ type: "tool_use", id, name: "read_file", input: { path: id } }],
});

describe("the conversation sent to the model", () => {
  it("caches the instructions and the repository context separately", () => {
    expect(systemBlocks("prompt", "context")).toEqual([
      { type: "text", text: "prompt", cache_control: { type: "ephemeral" } },
      { type: "text", text: "context", cache_control: { type: "ephemeral" } },
    ]);
  });

  it("puts a breakpoint on the last block only, without touching the stored messages", () => {
    const messages: MessageParam[] = [
      { role: "user", content: "task" },
      asked("a"),
      result("a", "x"),
    ];
    const sent = withConversationBreakpoint(messages);
    expect(sent.at(-1)).toEqual({
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: "a",
          content: "x",
          cache_control: { type: "ephemeral" },
        },
      ],
    });
    expect(JSON.stringify(messages)).not.toContain("cache_control");
    expect(withConversationBreakpoint([{ role: "user", content: "task" }])).toEqual([
      {
        role: "user",
        content: [{ type: "text", text: "task", cache_control: { type: "ephemeral" } }],
      },
    ]);
  });

  it("elides the oldest tool results when it grows too long, keeping the task and recent turns", () => {
    const big = "x".repeat(1_000);
    const messages: MessageParam[] = [{ role: "user", content: `task ${big}` }];
    for (let turn = 0; turn < 8; turn++) messages.push(asked(`t${turn}`), result(`t${turn}`, big));
    const size = JSON.stringify(messages).length;
    expect(trimConversation(messages, size)).toBe(messages);

    const trimmed = trimConversation(messages, size - 2_500);
    const contents = trimmed
      .filter((m) => m.role === "user" && typeof m.content !== "string")
      .map((m) => (m.content as { content: string }[])[0]!.content);
    expect(contents.slice(0, 3).every((c) => c.startsWith("[Elided"))).toBe(true);
    expect(contents.slice(3).every((c) => c === big)).toBe(true);
    expect(trimmed[0]).toEqual(messages[0]);
    expect(JSON.stringify(trimmed).length).toBeLessThanOrEqual(size - 2_500);
    expect((messages[2]!.content as { content: string }[])[0]!.content).toBe(big);
  });
});
