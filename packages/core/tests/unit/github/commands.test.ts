import { describe, expect, it } from "vitest";
import { parseCommand } from "../../../src/github/commands";

describe("parseCommand reads the command a comment gives", () => {
  it("takes the verbs, in any case, on the comment's first line", () => {
    expect(parseCommand("/amelia approve")).toEqual({ name: "approve" });
    expect(parseCommand("  /Amelia APPROVE  \n\nthanks!")).toEqual({ name: "approve" });
    expect(parseCommand("/amelia cancel")).toEqual({ name: "cancel" });
  });

  it("keeps a rejection's feedback, the lines below included", () => {
    expect(parseCommand("/amelia reject needs tests")).toEqual({
      name: "reject",
      feedback: "needs tests",
    });
    expect(parseCommand("/amelia reject\r\n- add tests\r\n- keep the API")).toEqual({
      name: "reject",
      feedback: "- add tests\n- keep the API",
    });
  });

  it("reads a revision's request and whether it asks for a plan", () => {
    expect(parseCommand("/amelia revise rename the flag")).toEqual({
      name: "revise",
      request: "rename the flag",
      replan: false,
    });
    expect(parseCommand("/amelia revise --plan split the module")).toEqual({
      name: "revise",
      request: "split the module",
      replan: true,
    });
  });

  it("names what is wrong with an /amelia comment it cannot take", () => {
    expect(parseCommand("/amelia reject")).toMatchObject({
      name: "unknown",
      problem: expect.stringContaining("needs feedback"),
    });
    expect(parseCommand("/amelia revise --plan")).toMatchObject({ name: "unknown" });
    expect(parseCommand("/amelia merge")).toMatchObject({
      name: "unknown",
      problem: expect.stringContaining("/amelia merge"),
    });
    expect(parseCommand("/amelia")).toMatchObject({ name: "unknown" });
  });

  it("ignores every other comment: a command not at the start, another bot's, a longer word", () => {
    expect(parseCommand("LGTM")).toBeUndefined();
    expect(parseCommand("Please /amelia approve")).toBeUndefined();
    expect(parseCommand("> /amelia approve")).toBeUndefined();
    expect(parseCommand("/ameliabot approve")).toBeUndefined();
    expect(parseCommand("")).toBeUndefined();
  });
});
