import { NotFoundError } from "../errors";
import type { NewEvent, WorkflowEvent } from "../events/types";
import { logger } from "../logger";
import type { Admission } from "./Admission";
import type { EventLog, EventSink, ProjectionStore } from "./dependencies";
import { applyEvent, assertAccepts, replay } from "./projection";
import { isTerminal } from "./status";
import type { Workflow } from "./Workflow";

export interface Recorded {
  event: WorkflowEvent;
  workflow: Workflow;
}

/**
 * The one way a workflow changes: an event is checked against the workflow's status, appended
 * to the log, folded into the stored projection, then published. A workflow that ends frees
 * its claims here, whichever command ended it.
 */
export class WorkflowRecorder {
  constructor(
    private readonly log: EventLog,
    private readonly projections: ProjectionStore,
    private readonly admission: Pick<Admission, "release">,
    private readonly publisher: EventSink,
  ) {}

  async get(id: string): Promise<Workflow> {
    const workflow = await this.projections.get(id);
    if (!workflow) throw new NotFoundError("Workflow", id);
    return workflow;
  }

  /** Appends one event the workflow accepts (422 otherwise); a terminal one takes no more. */
  async record(id: string, event: NewEvent): Promise<Recorded> {
    let current: Workflow | undefined;
    if (event.type !== "workflow_created") {
      current = await this.get(id);
      assertAccepts(current, event.type);
    }
    const stored = await this.log.append(id, event);
    const workflow = await this.project(id, stored, current);
    if (isTerminal(workflow.status)) await this.admission.release(workflow);
    try {
      await this.publisher.publish(stored);
    } catch (error) {
      // The log holds the event; subscribers that resubscribe with `since` still get it.
      logger.error("Publishing an event failed", {
        workflowId: id,
        sequence: stored.sequence,
        error,
      });
    }
    return { event: stored, workflow };
  }

  /** Rebuilds the stored projection from the whole log (repair after a lost update). */
  async rebuild(id: string): Promise<Workflow> {
    const workflow = replay(await this.log.listAll(id));
    if (!workflow) throw new NotFoundError("Workflow", id);
    for (;;) {
      const current = await this.projections.get(id);
      if (await this.projections.saveProjection(workflow, current?.lastSequence)) return workflow;
    }
  }

  /**
   * Brings the stored projection up to the appended event. `known` is the projection read just
   * before appending: usually still the latest, which saves reading it again.
   */
  private async project(id: string, appended: WorkflowEvent, known?: Workflow): Promise<Workflow> {
    let stored = known;
    for (;;) {
      stored ??= await this.projections.get(id);
      const from = stored?.lastSequence ?? 0;
      if (from >= appended.sequence && stored) return stored;
      const newer = from === appended.sequence - 1 ? [appended] : await this.log.listAll(id, from);
      const workflow = newer.reduce<Workflow | undefined>(applyEvent, stored);
      if (!workflow) throw new NotFoundError("Workflow", id);
      if (await this.projections.saveProjection(workflow, stored?.lastSequence)) return workflow;
      stored = undefined;
    }
  }
}
