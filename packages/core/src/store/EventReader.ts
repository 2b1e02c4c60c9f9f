import {
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { EVENTS_PAGE_BYTES } from "../definitions/limits";
import type { EventPage, WorkflowEvent } from "../events/types";
import { ItemParts } from "./ItemParts";
import { keys } from "./table";

const LAST_EVENT_KEY = keys.event(999_999_999_999);

/**
 * Reads the event log. Apart from the writer (EventStore) so that readers, like the broadcaster,
 * do not carry the event schemas in their bundle.
 */
export class EventReader {
  /** Where the data of events too large for their item is kept. */
  protected readonly dataParts: ItemParts;

  constructor(
    protected readonly client: DynamoDBClient,
    protected readonly tableName: string,
  ) {
    this.dataParts = new ItemParts(DynamoDBDocumentClient.from(client), tableName);
  }

  /**
   * Up to `limit` events after `since`; a page stops early rather than pass EVENTS_PAGE_BYTES of
   * JSON (so that it fits an HTTP answer), but always holds at least one event.
   */
  async list(workflowId: string, since = 0, limit = 500): Promise<EventPage> {
    const result = await this.queryEvents(workflowId, since + 1, { Limit: limit });
    const items = result.Items ?? [];
    const events: WorkflowEvent[] = [];
    let bytes = 0;
    for (const item of items) {
      const { event, jsonBytes } = await this.eventOf(workflowId, item);
      bytes += jsonBytes;
      if (events.length > 0 && bytes > EVENTS_PAGE_BYTES) break;
      events.push(event);
    }
    const last = events.at(-1);
    const more = result.LastEvaluatedKey !== undefined || events.length < items.length;
    return more && last ? { events, nextSince: last.sequence } : { events };
  }

  async listAll(workflowId: string, since = 0): Promise<WorkflowEvent[]> {
    const all: WorkflowEvent[] = [];
    let cursor: number | undefined = since;
    while (cursor !== undefined) {
      const page = await this.list(workflowId, cursor, 1_000);
      all.push(...page.events);
      cursor = page.nextSince;
    }
    return all;
  }

  /** The sequence of the newest stored event (0 for an empty log). */
  async head(workflowId: string): Promise<number> {
    const result = await this.queryEvents(workflowId, 1, {
      ProjectionExpression: "sk",
      ScanIndexForward: false,
      Limit: 1,
    });
    const sk = result.Items?.[0]?.sk?.S;
    return sk ? Number(sk.slice(keys.eventPrefix.length)) : 0;
  }

  /**
   * The event an item holds, its data read from its parts when it was too large to inline, and
   * about how many bytes of JSON it is.
   */
  private async eventOf(
    workflowId: string,
    item: Record<string, AttributeValue>,
  ): Promise<{ event: WorkflowEvent; jsonBytes: number }> {
    const json = item.event?.S ?? "null";
    const event = JSON.parse(json) as WorkflowEvent;
    const parts = item.dataParts?.N;
    if (parts === undefined) return { event, jsonBytes: Buffer.byteLength(json) };
    const data = await this.dataParts.read(
      keys.workflow(workflowId),
      keys.eventData(event.id),
      Number(parts),
    );
    return {
      event: { ...event, data: JSON.parse(data.toString("utf8")) } as WorkflowEvent,
      jsonBytes: Buffer.byteLength(json) + data.length,
    };
  }

  /** Events from `fromSequence` on, strongly consistent: a reader sees every completed append. */
  private queryEvents(
    workflowId: string,
    fromSequence: number,
    options: Pick<QueryCommandInput, "Limit" | "ProjectionExpression" | "ScanIndexForward">,
  ) {
    return this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: {
          ":pk": { S: keys.workflow(workflowId) },
          ":from": { S: keys.event(fromSequence) },
          ":to": { S: LAST_EVENT_KEY },
        },
        ConsistentRead: true,
        ...options,
      }),
    );
  }
}
