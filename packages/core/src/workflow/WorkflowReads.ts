import { NotFoundError } from "../errors";
import type { EventPage, WorkflowEvent } from "../events/types";
import type { EventLog, ProjectionStore, WorkflowListOptions, WorkflowPage } from "./dependencies";
import type { Workflow } from "./Workflow";

export interface ReadDependencies {
  log: Pick<EventLog, "list" | "listAll">;
  projections: Pick<ProjectionStore, "get" | "list" | "listAllWithStatus">;
}

/** The stored workflow, or NotFoundError. */
export async function storedWorkflow(
  projections: Pick<ProjectionStore, "get">,
  id: string,
): Promise<Workflow> {
  const workflow = await projections.get(id);
  if (!workflow) throw new NotFoundError("Workflow", id);
  return workflow;
}

/**
 * What the API reads of the workflows: their stored projections and logs. Apart from the
 * lifecycle so that a function that only reads needs no Step Functions or EventBridge client.
 */
export class WorkflowReads {
  constructor(private readonly stored: ReadDependencies) {}

  get(id: string): Promise<Workflow> {
    return storedWorkflow(this.stored.projections, id);
  }

  list(options: WorkflowListOptions): Promise<WorkflowPage> {
    return this.stored.projections.list(options);
  }

  async listActive(): Promise<Workflow[]> {
    const groups = await Promise.all(
      (["pending", "in_progress", "blocked"] as const).map((s) =>
        this.stored.projections.listAllWithStatus(s),
      ),
    );
    return groups.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async events(id: string, since: number, limit: number): Promise<EventPage> {
    await this.get(id);
    return this.stored.log.list(id, since, limit);
  }

  /** Every event of the workflow, oldest first. */
  history(id: string): Promise<WorkflowEvent[]> {
    return this.stored.log.listAll(id);
  }
}
