import type { EventSequencer, EventType, WorkflowEvent } from "@amelia/client";
import type { CommandContext } from "../CommandContext";
import { EventFollower } from "../EventFollower";
import { EXIT_CODES, type ExitCode } from "../exitCodes";
import { eventLine, nextSteps } from "../format";

/** The events that end a workflow, and how `--follow` exits on each. */
const TERMINAL_EVENTS: Partial<Record<EventType, ExitCode>> = {
  workflow_completed: EXIT_CODES.ok,
  workflow_failed: EXIT_CODES.workflowFailed,
  workflow_cancelled: EXIT_CODES.workflowCancelled,
};

/** How following ends when this event arrives, or undefined when the workflow goes on. */
export function terminalExitCode(event: WorkflowEvent): ExitCode | undefined {
  return TERMINAL_EVENTS[event.type];
}

export function printEvent(context: CommandContext, event: WorkflowEvent): void {
  const { output } = context;
  if (output.json) output.record(event);
  else output.line(eventLine(event, output.colors));
}

/**
 * Prints a workflow's live events after those the sequencer has seen, until it ends (or, with
 * `stopAtGate`, until it waits for a person). The exit code says how it ended.
 */
export async function followWorkflow(
  context: CommandContext,
  workflowId: string,
  sequencer: EventSequencer,
  options: { stopAtGate: boolean },
): Promise<ExitCode> {
  const { output } = context;
  const following = `Following ${workflowId} (Ctrl+C to stop)`;
  let outcome: ExitCode = EXIT_CODES.ok;
  const follower = new EventFollower({
    server: context.server,
    api: context.api,
    workflowId,
    sequencer,
    onEvent: (event) => {
      printEvent(context, event);
      const end = terminalExitCode(event);
      if (end !== undefined) {
        outcome = end;
        return true;
      }
      if (event.type === "approval_required") {
        const { gate, budgetUsd, spentUsd = 0 } = event.data;
        const waiting = {
          id: workflowId,
          status: "blocked" as const,
          gate,
          usage: { costUsd: spentUsd },
        };
        output.note(nextSteps({ ...waiting, ...(budgetUsd !== undefined && { budgetUsd }) })!);
        return options.stopAtGate;
      }
      return false;
    },
    onReconnecting: (attempt, delayMs) => {
      output.note(`Connection lost; reconnecting in ${delayMs} ms (attempt ${attempt})`);
      output.spin("Reconnecting");
    },
    onSubscribed: () => output.spin(following),
  });
  try {
    await follower.run();
  } finally {
    output.stopSpinner();
  }
  return outcome;
}
