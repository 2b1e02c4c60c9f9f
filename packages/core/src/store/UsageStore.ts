import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import pMap from "p-map";
import type { WorkflowEvent } from "../events/types";
import { queryAll } from "./queryAll";
import { keys } from "./table";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Day partitions read at once. */
const CONCURRENCY = 8;

/** The `token_usage` events of a period, through their by-day index (gsi1, `USAGE#<day>`). */
export class UsageStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async tokenUsage(since: Date, until: Date): Promise<WorkflowEvent<"token_usage">[]> {
    const days: string[] = [];
    for (let day = startOfDay(since); day <= until.getTime(); day += DAY_MS) {
      days.push(new Date(day).toISOString().slice(0, 10));
    }
    const from = since.toISOString();
    const to = `${until.toISOString()}~`;
    const perDay = await pMap(days, (day) => this.day(day, from, to), { concurrency: CONCURRENCY });
    return perDay.flat();
  }

  private async day(day: string, from: string, to: string) {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :day AND gsi1sk BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":day": keys.usageDay(day), ":from": from, ":to": to },
      ProjectionExpression: "event",
    });
    return items.map((item) => JSON.parse(item.event as string) as WorkflowEvent<"token_usage">);
  }
}

function startOfDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}
