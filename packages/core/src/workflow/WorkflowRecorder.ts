import { errorMessage, NotFoundError } from "../errors";
import { assertValidEvent } from "../events/InvalidEventError";
import type { NewEvent, WorkflowEvent } from "../events/types";
import { logger } from "../logger";
import type { Admission } from "./Admission";
import {
  SequenceTakenError,
  type EventLog,
  type EventSink,
  type ProjectionStore,
} from "./dependencies";
import { applyEvent, assertAccepts, replay, statusChange } from "./projection";
import { isTerminal } from "./status";
import { storedWorkflow } from "./WorkflowReads";
import { abridged, type Workflow } from "./Workflow";

/** A status change that keeps losing its sequence to other writers gives up after this many. */
const MAX_CHECKED_APPEND_ATTEMPTS = 50;

export interface Recorded {
  event: WorkflowEvent;
  workflow: Workflow;
}

/** The projection, brought up to the log, could not be stored: it is here, as folded. */
class ProjectionNotSavedError extends Error {
  constructor(
    readonly workflow: Workflow,
    readonly basedOn: number | undefined,
    cause: unknown,
  ) {
    super(
      `Could not save workflow ${workflow.id} at event ${workflow.lastSequence}: ${errorMessage(cause)}`,
      { cause },
    );
    this.name = "ProjectionNotSavedError";
  }
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

  get(id: string): Promise<Workflow> {
    return storedWorkflow(this.projections, id);
  }

  /**
   * Throws what `record` would throw for this event on this workflow as it stands: a state the
   * event cannot follow (422), or a shape the log refuses. Lets a command check before it acts.
   */
  check(workflow: Workflow, event: NewEvent): void {
    assertAccepts(workflow, event.type);
    assertValidEvent(workflow.id, event);
  }

  /** Appends one event the workflow accepts (422 otherwise); a terminal one takes no more. */
  async record(id: string, event: NewEvent): Promise<Recorded> {
    const { stored, current } =
      event.type === "workflow_created"
        ? { stored: await this.log.append(id, event), current: undefined }
        : await this.appendAccepted(id, event);
    const workflow = await this.projectEnding(id, stored, current);
    if (isTerminal(workflow.status)) await this.admission.release(workflow);
    try {
      await this.publisher.publish(stored, workflow.startedBy?.source ?? "api");
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
   * Appends an event the workflow accepts as it stands. One that changes the status takes the
   * sequence right after the events it was checked against, so of two racing changes (a
   * duplicate finish, a cancel against a decision) the second is checked against the first.
   * Returns the stored projection it was checked against, unless that could not be stored.
   */
  private async appendAccepted(
    id: string,
    event: NewEvent,
  ): Promise<{ stored: WorkflowEvent; current: Workflow | undefined }> {
    let current = await this.get(id);
    let isStored = true;
    for (let attempt = 1; ; attempt++) {
      assertAccepts(current, event.type);
      const at = statusChange(event.type) ? current.lastSequence + 1 : undefined;
      try {
        return {
          stored: await this.log.append(id, event, at),
          current: isStored ? current : undefined,
        };
      } catch (error) {
        if (!(error instanceof SequenceTakenError) || attempt >= MAX_CHECKED_APPEND_ATTEMPTS) {
          throw error;
        }
        try {
          current = await this.catchUp(id);
          isStored = true;
        } catch (failure) {
          // The check needs the workflow as the log has it, stored or not.
          if (!(failure instanceof ProjectionNotSavedError)) throw failure;
          current = failure.workflow;
          isStored = false;
        }
      }
    }
  }

  /**
   * Projects the appended event. A workflow that this event ended ends even if its projection
   * cannot be stored: its claims are freed, and it is stored without its large texts if that fits.
   */
  private async projectEnding(
    id: string,
    appended: WorkflowEvent,
    known: Workflow | undefined,
  ): Promise<Workflow> {
    try {
      return await this.project(id, appended, known);
    } catch (error) {
      if (!(error instanceof ProjectionNotSavedError) || !isTerminal(error.workflow.status)) {
        throw error;
      }
      logger.error("Could not save the ended workflow; saving it abridged", {
        workflowId: id,
        sequence: error.workflow.lastSequence,
        error: error.cause,
      });
      await this.admission.release(error.workflow);
      const shortened = abridged(error.workflow);
      const saved = await this.projections
        .saveProjection(shortened, error.basedOn)
        .catch(() => false);
      if (saved) return shortened;
      throw error;
    }
  }

  /** The stored projection, brought up to the newest event of the log. */
  catchUp(id: string): Promise<Workflow> {
    return this.project(id);
  }

  /**
   * Brings the stored projection up to the appended event, or to the log's newest. `known` is
   * the projection read just before appending: usually still the latest, which saves a read.
   */
  private async project(id: string, appended?: WorkflowEvent, known?: Workflow): Promise<Workflow> {
    let stored = known;
    for (;;) {
      stored ??= await this.projections.get(id);
      const from = stored?.lastSequence ?? 0;
      if (appended && stored && from >= appended.sequence) return stored;
      const newer =
        appended && from === appended.sequence - 1 ? [appended] : await this.log.listAll(id, from);
      if (!appended && stored && newer.length === 0) return stored;
      const workflow = newer.reduce<Workflow | undefined>(applyEvent, stored);
      if (!workflow) throw new NotFoundError("Workflow", id);
      const basedOn = stored?.lastSequence;
      const saved = await this.projections.saveProjection(workflow, basedOn).catch((error) => {
        throw new ProjectionNotSavedError(workflow, basedOn, error);
      });
      if (saved) return workflow;
      stored = undefined;
    }
  }
}
