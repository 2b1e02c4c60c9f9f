import type { EventPublisher } from "../aws/EventPublisher";
import { NotFoundError, ValidationError } from "../errors";
import type { ConnectionStore } from "../store/ConnectionStore";
import type { WorkflowStore } from "../store/WorkflowStore";
import { ALL_WORKFLOWS, type ServerMessage } from "./messages";

/** The WebSocket routes' side: connections and their subscriptions. */
export class Subscriptions {
  constructor(
    private readonly store: ConnectionStore,
    private readonly workflows: WorkflowStore,
    private readonly publisher: EventPublisher,
  ) {}

  connect(connectionId: string): Promise<void> {
    return this.store.connect(connectionId);
  }

  disconnect(connectionId: string): Promise<void> {
    return this.store.disconnect(connectionId);
  }

  /**
   * Stores the subscription and answers the subscriber. The backfill is read after the
   * subscription is stored: an event stored later is pushed live, one stored earlier is in the
   * backfill, so nothing falls between the two. The broadcaster sends it (only it posts).
   */
  async subscribe(
    connectionId: string,
    workflowId: string,
    since?: number,
  ): Promise<ServerMessage> {
    if (workflowId === ALL_WORKFLOWS && since !== undefined) {
      throw new ValidationError("`since` needs a workflowId: backfill is per workflow");
    }
    if (workflowId !== ALL_WORKFLOWS && !(await this.workflows.get(workflowId))) {
      throw new NotFoundError("Workflow", workflowId);
    }
    await this.store.subscribe(connectionId, workflowId);
    if (since !== undefined)
      await this.publisher.requestBackfill({ connectionId, workflowId, since });
    return { type: "subscribed", workflowId };
  }

  async unsubscribe(connectionId: string, workflowId: string): Promise<ServerMessage> {
    await this.store.unsubscribe(connectionId, workflowId);
    return { type: "unsubscribed", workflowId };
  }
}
