import {
  QueryCommand,
  type DynamoDBClient,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { EventPage, WorkflowEvent } from "../events/types";
import { keys } from "./table";

const LAST_EVENT_KEY = keys.event(999_999_999_999);

/**
 * Reads the event log. Apart from the writer (EventStore) so that readers, like the broadcaster,
 * do not carry the event schemas in their bundle.
 */
export class EventReader {
  constructor(
    protected readonly client: DynamoDBClient,
    protected readonly tableName: string,
  ) {}

  async list(workflowId: string, since = 0, limit = 500): Promise<EventPage> {
    const result = await this.queryEvents(workflowId, since + 1, { Limit: limit });
    const events = (result.Items ?? []).map((item) => JSON.parse(item.event?.S ?? "null"));
    const last = events.at(-1);
    return result.LastEvaluatedKey && last ? { events, nextSince: last.sequence } : { events };
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
