import pMap from "p-map";
import type { BackfillRequest, EventPublisher } from "../aws/EventPublisher";
import { NotFoundError, ValidationError } from "../errors";
import type { WorkflowEvent } from "../events/types";
import type { ConnectionStore } from "../store/ConnectionStore";
import type { EventStore } from "../store/EventStore";
import type { WorkflowRepository } from "../store/WorkflowRepository";
import type { Connections } from "./Connections";
import { ALL_WORKFLOWS, type ServerMessage } from "./messages";

/** How many connections one broadcast posts to at once. */
const FAN_OUT_CONCURRENCY = 32;

/** The WebSocket side: subscriptions with backfill, and the fan-out of stored events. */
export class RealtimeService {
  constructor(
    private readonly connections: Connections,
    private readonly store: ConnectionStore,
    private readonly log: EventStore,
    private readonly workflows: WorkflowRepository,
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

  /** Sends the stored events after `since`, then `backfill_complete`. */
  async backfill({ connectionId, workflowId, since }: BackfillRequest): Promise<void> {
    let count = 0;
    let cursor: number | undefined = since;
    while (cursor !== undefined) {
      const page = await this.log.list(workflowId, cursor, 500);
      for (const event of page.events) {
        if (!(await this.send(connectionId, { type: "event", event }))) return;
        count++;
      }
      cursor = page.nextSince;
    }
    await this.send(connectionId, { type: "backfill_complete", workflowId, count });
  }

  async unsubscribe(connectionId: string, workflowId: string): Promise<ServerMessage> {
    await this.store.unsubscribe(connectionId, workflowId);
    return { type: "unsubscribed", workflowId };
  }

  /** Sends to one connection; a connection that has gone is forgotten. */
  private async send(connectionId: string, message: ServerMessage): Promise<boolean> {
    if (await this.connections.send(connectionId, message)) return true;
    await this.store.disconnect(connectionId);
    return false;
  }

  /** Pushes a stored event to every subscriber (at least once: clients drop duplicates). */
  async broadcast(event: WorkflowEvent): Promise<{ delivered: number; gone: number }> {
    const subscribers = await this.store.subscribers(event.workflowId);
    const results = await pMap(
      subscribers,
      (connectionId) => this.send(connectionId, { type: "event", event }),
      { concurrency: FAN_OUT_CONCURRENCY },
    );
    const delivered = results.filter(Boolean).length;
    return { delivered, gone: results.length - delivered };
  }

  /** Reads an event that travelled on the bus as a reference (too large to inline). */
  async load(workflowId: string, sequence: number): Promise<WorkflowEvent | undefined> {
    const page = await this.log.list(workflowId, sequence - 1, 1);
    return page.events[0];
  }
}
