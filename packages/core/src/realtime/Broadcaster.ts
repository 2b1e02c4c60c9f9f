import pMap from "p-map";
import type { BackfillRequest } from "../aws/EventPublisher";
import type { WorkflowEvent } from "../events/types";
import type { ConnectionStore } from "../store/ConnectionStore";
import type { EventReader } from "../store/EventReader";
import type { Connections } from "./Connections";
import type { ServerMessage } from "./messages";

/** How many connections one broadcast posts to at once. */
const FAN_OUT_CONCURRENCY = 32;

/**
 * The only poster to WebSocket connections: pushes each stored event to its subscribers and
 * sends new subscribers the events they missed.
 */
export class Broadcaster {
  constructor(
    private readonly connections: Connections,
    private readonly store: ConnectionStore,
    private readonly log: EventReader,
  ) {}

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
