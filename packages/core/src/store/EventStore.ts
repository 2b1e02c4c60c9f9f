import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { assertValidEvent } from "../events/InvalidEventError";
import type { NewEvent, WorkflowEvent } from "../events/types";
import { SequenceTakenError, type EventLog } from "../workflow/dependencies";
import { EventReader } from "./EventReader";
import { keys } from "./table";

const MAX_APPEND_ATTEMPTS = 100;
/**
 * Data up to this size is kept in the event's own item; larger data goes to parts. The item
 * still has room for the rest of the event (a message of 10,000 characters escaped) and its keys.
 */
const INLINE_DATA_BYTES = 300_000;
const MAX_TRACKED_HEADS = 10_000;
const MAX_BACKOFF_MS = 50;

export class AppendContentionError extends Error {
  constructor(readonly workflowId: string) {
    super(`Could not append to ${workflowId} after ${MAX_APPEND_ATTEMPTS} attempts`);
    this.name = "AppendContentionError";
  }
}

/**
 * The append-only event log. Each event is one item keyed by its sequence and written with
 * `attribute_not_exists`, so a sequence is never reused. A writer only tries sequence n after it
 * has seen n-1 stored, so the log has no gaps, without transactions (dynalite has none).
 * Appends from one process to one workflow are queued, so they never contend with each other;
 * writers in other processes (other Lambdas) are resolved by the conditional write. Data too
 * large for the item (a long plan) is written in parts first, keyed by the event's id.
 */
export class EventStore extends EventReader implements EventLog {
  private readonly heads = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();

  /** Validates, then queues the write behind this process's earlier appends to the workflow. */
  async append(workflowId: string, event: NewEvent, at?: number): Promise<WorkflowEvent> {
    const eventBytes = assertValidEvent(workflowId, event);
    const write = () => this.appendInOrder(workflowId, event, eventBytes, at);
    const previous = this.queues.get(workflowId) ?? Promise.resolve();
    const result = previous.then(write, write);
    const tail = result.catch(() => undefined);
    this.queues.set(workflowId, tail);
    void tail.then(() => {
      if (this.queues.get(workflowId) === tail) this.queues.delete(workflowId);
    });
    return result;
  }

  private async appendInOrder(
    workflowId: string,
    event: NewEvent,
    eventBytes: number,
    at: number | undefined,
  ): Promise<WorkflowEvent> {
    let sequence = at ?? (this.heads.get(workflowId) ?? (await this.head(workflowId))) + 1;
    const id = randomUUID();
    const dataParts = await this.putLargeData(workflowId, id, event, eventBytes);
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const stored = {
        id,
        workflowId,
        sequence,
        timestamp: new Date().toISOString(),
        ...event,
      } as WorkflowEvent;
      const inItem = dataParts === undefined ? stored : { ...stored, data: undefined };
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: { S: keys.workflow(workflowId) },
              sk: { S: keys.event(sequence) },
              event: { S: JSON.stringify(inItem) },
              ...(dataParts !== undefined && { dataParts: { N: String(dataParts) } }),
              ...usageIndexKeys(stored),
            },
            ConditionExpression: "attribute_not_exists(sk)",
          }),
        );
        this.remember(workflowId, sequence);
        return stored;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        if (at !== undefined) throw new SequenceTakenError(workflowId, at);
        // Another process wrote this sequence: it exists, so the newest one is safe to follow.
        // A random pause keeps writers that keep colliding from starving one another.
        await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt));
        sequence = (await this.head(workflowId)) + 1;
      }
    }
    throw new AppendContentionError(workflowId);
  }

  /**
   * Writes the event's data in parts when it is too large to inline; returns their count. An
   * event whose whole JSON fits (nearly every one) has data that fits, and is not serialized again.
   */
  private async putLargeData(
    workflowId: string,
    id: string,
    event: NewEvent,
    eventBytes: number,
  ): Promise<number | undefined> {
    if (eventBytes <= INLINE_DATA_BYTES) return undefined;
    const data = Buffer.from(JSON.stringify(event.data ?? null));
    if (data.length <= INLINE_DATA_BYTES) return undefined;
    return this.dataParts.put(keys.workflow(workflowId), keys.eventData(id), data);
  }

  private remember(workflowId: string, sequence: number): void {
    this.heads.delete(workflowId);
    this.heads.set(workflowId, sequence);
    if (this.heads.size > MAX_TRACKED_HEADS) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
  }
}

/**
 * A `token_usage` event is also indexed by day (gsi1), in the same write: /api/usage then reads
 * the log's own items for a period, never a second copy of the numbers that could drift.
 */
function usageIndexKeys(event: WorkflowEvent): Record<string, { S: string }> {
  if (event.type !== "token_usage") return {};
  return {
    gsi1pk: { S: keys.usageDay(event.timestamp.slice(0, 10)) },
    gsi1sk: { S: `${event.timestamp}#${event.workflowId}#${keys.event(event.sequence)}` },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
