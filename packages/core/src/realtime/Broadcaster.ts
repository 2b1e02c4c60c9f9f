import { setTimeout as sleep } from "node:timers/promises";
import pMap from "p-map";
import type { BackfillRequest } from "../aws/EventPublisher";
import { WEBSOCKET_MESSAGE_BYTES } from "../definitions/limits";
import type { WorkflowEvent } from "../events/types";
import { logger } from "../logger";
import { retryDelay, type BackoffOptions } from "../resilience/backoff";
import type { ConnectionStore } from "../store/ConnectionStore";
import type { EventReader } from "../store/EventReader";
import type { Connections } from "./Connections";
import type { ServerMessage } from "./messages";

/** How many connections one broadcast posts to at once. */
const FAN_OUT_CONCURRENCY = 32;

/** Posts to one connection up to this many times (throttled, forbidden, a 5xx…) before giving up. */
export const POST_ATTEMPTS = 3;
const POST_BACKOFF: BackoffOptions = { baseDelayMs: 100, maxDelayMs: 1_000 };

/** Errors that the same post would meet again: not retried. */
const PERMANENT_ERRORS = new Set(["PayloadTooLargeException"]);

/** What became of one post: sent, the connection gone (and forgotten), or failed after retries. */
export type Delivery = "delivered" | "gone" | "failed";

export interface BroadcastResult {
  delivered: number;
  gone: number;
  /** Connections still there that could not be sent the event (each logged with its error). */
  failed: number;
}

/**
 * The only poster to WebSocket connections: pushes each stored event to its subscribers and
 * sends new subscribers the events they missed. Each connection is on its own: one that fails
 * never stops delivery to the others.
 */
export class Broadcaster {
  constructor(
    private readonly connections: Connections,
    private readonly store: ConnectionStore,
    private readonly log: EventReader,
  ) {}

  /** Sends the stored events after `since`, then `backfill_complete`; stops if it cannot. */
  async backfill({ connectionId, workflowId, since }: BackfillRequest): Promise<Delivery> {
    let count = 0;
    let cursor: number | undefined = since;
    while (cursor !== undefined) {
      const page = await this.log.list(workflowId, cursor, 500);
      for (const event of page.events) {
        const delivery = await this.send(connectionId, eventFrame(event));
        if (delivery !== "delivered") return delivery;
        count++;
      }
      cursor = page.nextSince;
    }
    const complete: ServerMessage = { type: "backfill_complete", workflowId, count };
    return this.send(connectionId, JSON.stringify(complete));
  }

  /**
   * Sends to one connection, retrying with backoff: a connection that has gone is forgotten, one
   * that keeps failing is logged and left for its next event.
   */
  private async send(connectionId: string, frame: string): Promise<Delivery> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (await this.connections.send(connectionId, frame)) return "delivered";
        await this.store.disconnect(connectionId);
        return "gone";
      } catch (error) {
        const name = error instanceof Error ? error.name : "Error";
        if (attempt + 1 >= POST_ATTEMPTS || PERMANENT_ERRORS.has(name)) {
          logger.warn("Could not post to a connection", {
            connectionId,
            attempts: attempt + 1,
            error: { name, message: error instanceof Error ? error.message : String(error) },
          });
          return "failed";
        }
        await sleep(retryDelay(attempt, undefined, POST_BACKOFF));
      }
    }
  }

  /** Pushes a stored event to every subscriber (at least once: clients drop duplicates). */
  async broadcast(event: WorkflowEvent): Promise<BroadcastResult> {
    const subscribers = await this.store.subscribers(event.workflowId);
    const frame = eventFrame(event);
    const deliveries = await pMap(subscribers, (connectionId) => this.send(connectionId, frame), {
      concurrency: FAN_OUT_CONCURRENCY,
    });
    const count = (delivery: Delivery) => deliveries.filter((d) => d === delivery).length;
    return { delivered: count("delivered"), gone: count("gone"), failed: count("failed") };
  }

  /** Reads an event that travelled on the bus as a reference (too large to inline). */
  async load(workflowId: string, sequence: number): Promise<WorkflowEvent | undefined> {
    const page = await this.log.list(workflowId, sequence - 1, 1);
    return page.events[0];
  }
}

/**
 * The message that carries an event, serialized: the event itself, or, when that would be larger
 * than one WebSocket message may be, a reference the client reads over HTTP.
 */
function eventFrame(event: WorkflowEvent): string {
  const message: ServerMessage = { type: "event", event };
  const frame = JSON.stringify(message);
  const bytes = Buffer.byteLength(frame);
  if (bytes <= WEBSOCKET_MESSAGE_BYTES) return frame;
  const reference: ServerMessage = {
    type: "event_reference",
    workflowId: event.workflowId,
    sequence: event.sequence,
    bytes,
  };
  return JSON.stringify(reference);
}
