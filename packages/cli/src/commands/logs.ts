import { EventSequencer } from "@amelia/client";
import type { CommandContext } from "../CommandContext";
import { EXIT_CODES, type ExitCode } from "../exitCodes";
import { followWorkflow, printEvent, terminalExitCode } from "./follow";

/**
 * A workflow's history, then with --follow its live events until it ends. The exit code of
 * --follow says how it ended.
 */
export async function logs(
  context: CommandContext,
  id: string,
  options: { follow?: boolean },
): Promise<ExitCode> {
  const sequencer = new EventSequencer();
  let ended: ExitCode | undefined;
  context.output.spin(`Fetching the events of ${id}`);
  try {
    for await (const page of context.api.events(id, sequencer.lastSequence)) {
      context.output.stopSpinner();
      for (const event of page.flatMap((e) => sequencer.accept(e) ?? [])) {
        printEvent(context, event);
        ended ??= terminalExitCode(event);
      }
    }
  } finally {
    context.output.stopSpinner();
  }
  if (!options.follow) return EXIT_CODES.ok;
  if (ended !== undefined) return ended;
  return followWorkflow(context, id, sequencer, { stopAtGate: false });
}
