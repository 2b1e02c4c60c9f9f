import type { WorkflowEvent } from "@amelia/client";

/** What the diff panel learns from the events: the newest round's commit, and what the review saw. */
export interface ChangeRounds {
  /** The commit of the developer's newest round: a new one means a new diff to show. */
  latestCommit?: string;
  /** The latest review's comments and the commit they were written about. */
  review?: { commit: string; comments: string[] };
}

/** Reads a workflow's events, oldest first: developer commits and the reviews of them. */
export function changeRounds(events: readonly WorkflowEvent[]): ChangeRounds {
  let latestCommit: string | undefined;
  let review: ChangeRounds["review"];
  for (const event of events) {
    if (event.type === "stage_completed" && event.data.stage === "developer" && event.data.commit) {
      latestCommit = event.data.commit;
    } else if (event.type === "review_completed" && latestCommit) {
      review = { commit: latestCommit, comments: event.data.comments };
    }
  }
  return { ...(latestCommit && { latestCommit }), ...(review && { review }) };
}
