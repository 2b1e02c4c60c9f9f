import type { WorkflowEvent } from "../events/types";

/** A developer round that finished with work on the branch. */
export interface DeveloperRound {
  round: number;
  /** The branch's commit after the round: its own, or the one before when it changed nothing. */
  commit: string;
  /** Absent in logs written before developer rounds recorded it. */
  baseCommit?: string;
}

/** The finished developer rounds that left a commit, oldest first: a pure fold over the log. */
export function developerRounds(events: readonly WorkflowEvent[]): DeveloperRound[] {
  const rounds = new Map<number, DeveloperRound>();
  let round = 0;
  let latest: DeveloperRound | undefined;
  for (const event of events) {
    if (event.type === "stage_started" && event.data.stage === "developer") {
      round = event.data.round ?? round + 1;
    } else if (event.type === "stage_completed" && event.data.stage === "developer") {
      const commit = event.data.commit ?? latest?.commit;
      if (commit === undefined) continue;
      const baseCommit = event.data.baseCommit ?? latest?.baseCommit;
      latest = { round, commit, ...(baseCommit !== undefined && { baseCommit }) };
      rounds.set(round, latest);
    }
  }
  return [...rounds.values()].sort((a, b) => a.round - b.round);
}
