import { InvalidStateError, invalidField } from "../errors";
import type { WorkflowEvent } from "../events/types";
import type { Workflow } from "../workflow/Workflow";
import type { WorkspaceProvider } from "../workspace/Workspace";
import { developerRounds } from "./developerRounds";
import { limitDiff, parseGitDiff } from "./gitDiff";
import type { DiffLinks, WorkflowDiff } from "./WorkflowDiff";

export interface WorkflowDiffDependencies {
  workflows: { get(id: string): Promise<Workflow>; history(id: string): Promise<WorkflowEvent[]> };
  workspaces: Pick<WorkspaceProvider, "changes">;
}

/** What each developer round changed, read from the repository the workflow works on. */
export class WorkflowDiffs {
  constructor(private readonly deps: WorkflowDiffDependencies) {}

  /** The round's change against the base commit; the latest round when `round` is absent. */
  async diff(id: string, round?: number): Promise<WorkflowDiff> {
    const workflow = await this.deps.workflows.get(id);
    const rounds = developerRounds(await this.deps.workflows.history(id));
    const latest = rounds.at(-1);
    if (!latest) {
      throw new InvalidStateError(
        `Workflow ${id} has no changes yet: no developer round committed`,
        {
          status: workflow.status,
        },
      );
    }
    const shown = round === undefined ? latest : rounds.find((r) => r.round === round);
    if (!shown) {
      throw invalidField(
        "round",
        `workflow ${id} has no finished developer round ${round}; its rounds: ${rounds.map((r) => r.round).join(", ")}`,
      );
    }
    if (shown.baseCommit === undefined) {
      throw new InvalidStateError(
        `Workflow ${id} was recorded before developer rounds kept their base commit: ` +
          `its diff is \`git diff <base> ${shown.commit}\` on ${workflow.branch ?? "its branch"}`,
        { commit: shown.commit },
      );
    }
    const changes = await this.deps.workspaces.changes({
      workflowId: id,
      ...(workflow.repository !== undefined && { repository: workflow.repository }),
      baseCommit: shown.baseCommit,
      commit: shown.commit,
    });
    const all = parseGitDiff(changes.diff);
    const { files, truncated } = limitDiff(all);
    const links: DiffLinks = {
      ...(changes.commitUrl !== undefined && { commit: changes.commitUrl }),
      ...(changes.compareUrl !== undefined && { compare: changes.compareUrl }),
      ...(workflow.pullRequestUrl !== undefined && {
        pullRequestFiles: `${workflow.pullRequestUrl}/files`,
      }),
    };
    return {
      workflowId: id,
      round: shown.round,
      rounds: rounds.map((r) => r.round),
      baseCommit: shown.baseCommit,
      commit: shown.commit,
      files,
      totals: {
        files: all.length,
        additions: all.reduce((sum, file) => sum + file.additions, 0),
        deletions: all.reduce((sum, file) => sum + file.deletions, 0),
      },
      truncated,
      ...(Object.keys(links).length > 0 && { links }),
    };
  }
}
