import type { EventData, WorkflowEvent } from "@amelia/client";

export type CheckCompleted = EventData<"check_completed">;

/** A round whose checks ran (or run): what its `checks_*` events say, in the order they came. */
export interface CheckedRound {
  kind: "checked";
  runId: string;
  round: number;
  /** The checks it started with, in the order they run. */
  checks: string[];
  source: "file" | "detected";
  /** What ran the commands: `unsafe-host` means on the host, without a sandbox. */
  sandbox: string;
  /** Each check's result, as recorded. */
  results: CheckCompleted[];
  /** Set once the round's outcome is recorded. */
  passed?: boolean;
}

/** A round that went to review without checks (none found, or no sandbox), as the log says. */
export interface UncheckedRound {
  kind: "unchecked";
  round: number;
  message: string;
}

export type CheckRound = CheckedRound | UncheckedRound;

/**
 * The rounds of checks of a workflow, oldest first, from its events. The verify step says why a
 * round was not checked in a system `agent_message` whose data has `checks` ("none", "no sandbox").
 */
export function checkRounds(events: readonly WorkflowEvent[]): CheckRound[] {
  const rounds: CheckRound[] = [];
  const runs = new Map<string, CheckedRound>();
  for (const event of events) {
    switch (event.type) {
      case "checks_started": {
        const run: CheckedRound = { kind: "checked", ...event.data, results: [] };
        runs.set(run.runId, run);
        rounds.push(run);
        break;
      }
      case "check_completed":
        runs.get(event.data.runId)?.results.push(event.data);
        break;
      case "checks_completed": {
        const run = runs.get(event.data.runId);
        if (run) run.passed = event.data.passed;
        break;
      }
      case "agent_message": {
        const unchecked = uncheckedRound(event);
        if (unchecked) rounds.push(unchecked);
        break;
      }
    }
  }
  return rounds;
}

function uncheckedRound(event: WorkflowEvent<"agent_message">): UncheckedRound | undefined {
  const data = event.data as { round?: unknown; checks?: unknown } | undefined;
  if (event.agent !== "system" || typeof data?.checks !== "string") return undefined;
  if (typeof data.round !== "number") return undefined;
  return { kind: "unchecked", round: data.round, message: event.message };
}
