/** What a person can tell Amelia in a comment. */
export type Command =
  | { name: "approve" }
  | { name: "reject"; feedback: string }
  | { name: "cancel" }
  | { name: "revise"; request: string; replan: boolean }
  | { name: "unknown"; problem: string };

export const COMMAND_USAGE = [
  "`/amelia approve`: approve what waits at the gate",
  "`/amelia reject <feedback>`: reject it, saying what to change",
  "`/amelia cancel`: stop the workflow",
  "`/amelia revise [--plan] <what to change>`: on Amelia's pull request, revise it",
].join("\n");

const PREFIX = /^\/amelia(?:\s+|$)/i;

/**
 * The command a comment gives: its first non-blank line starts with `/amelia`; the words after
 * the verb, and the lines below, are its text. Undefined for any other comment.
 */
export function parseCommand(body: string): Command | undefined {
  const text = body.replace(/\r\n?/g, "\n").trim();
  if (!PREFIX.test(text)) return undefined;
  const rest = text.replace(PREFIX, "");
  const verb = /^\S*/.exec(rest)?.[0] ?? "";
  const argument = rest.slice(verb.length).trim();
  switch (verb.toLowerCase()) {
    case "approve":
      return { name: "approve" };
    case "cancel":
      return { name: "cancel" };
    case "reject":
      return argument === ""
        ? { name: "unknown", problem: "`/amelia reject` needs feedback: what should change?" }
        : { name: "reject", feedback: argument };
    case "revise": {
      const replan = /^--plan(?:\s+|$)/.test(argument);
      const request = replan ? argument.replace(/^--plan\s*/, "") : argument;
      return request === ""
        ? { name: "unknown", problem: "`/amelia revise` needs to be told what to change" }
        : { name: "revise", request, replan };
    }
    case "":
      return { name: "unknown", problem: "`/amelia` needs a command" };
    default:
      return { name: "unknown", problem: `\`/amelia ${verb}\` is not a command` };
  }
}
