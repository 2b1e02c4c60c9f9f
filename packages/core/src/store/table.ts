import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * One table holds everything (single-table design). Items by key:
 * - `WF#<id>` / `STATE`            the workflow projection (gsi1: all by creation, gsi2: by status)
 * - `WF#<id>` / `STATE#<partsId>#<n>`  a projection too large for its item, in parts
 * - `WF#<id>` / `EV#<sequence>`    one event of the append-only log
 * - `WF#<id>` / `EVD#<eventId>#<n>`  the data of an event too large for its item, in parts
 * - `WF#<id>` / `GATE`             the open gate and its task token (never leaves the server)
 * - `WF#<id>` / `CONV#<round>…`    the developer's saved conversation (gzip, in chunks), per round
 * - `WF#<id>` / `CHECKLOG#<runId>#<n>`  the whole log of a run's check n (its parts after `#`)
 * - `WF#<id>` / `GITHUB#STATUS`    the id of the workflow's status comment on GitHub
 * - `IDEMPOTENCY#<function>` / <hash>  GitHub deliveries already handled (Powertools, with TTL)
 * - token_usage events also carry gsi1 keys `USAGE#<day>` / `<timestamp>#…`, for /api/usage
 * - `LOCK#<repository>#<issueId>`  which workflow holds that issue (the 409 rule)
 * - `SLOTS` / `SLOT#<n>`           which workflows hold the active slots (the 429 rule)
 * - `CONN#<connectionId>`          a WebSocket connection and its subscriptions
 * - `SUB#<workflowId|*>` / `<connectionId>`  subscriptions, queried by key by the broadcaster
 */
export const TABLE_SCHEMA = {
  partitionKey: "pk",
  sortKey: "sk",
  indexes: [
    { name: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    { name: "gsi2", partitionKey: "gsi2pk", sortKey: "gsi2sk" },
  ],
  timeToLiveAttribute: "expiresAt",
} as const;

export const keys = {
  workflow: (workflowId: string) => `WF#${workflowId}`,
  state: "STATE",
  gate: "GATE",
  event: (sequence: number) => `EV#${String(sequence).padStart(12, "0")}`,
  eventPrefix: "EV#",
  eventData: (eventId: string) => `EVD#${eventId}#`,
  stateParts: (partsId: string) => `STATE#${partsId}#`,
  /** The developer's per round; the architect's and the reviewer's (kept at a budget stop) per stage. */
  conversation: (round: number, stage?: string) =>
    `CONV#${stage ? `${stage}#` : ""}${String(round).padStart(4, "0")}`,
  statusComment: "GITHUB#STATUS",
  idempotency: (functionName: string) => `IDEMPOTENCY#${functionName}`,
  checkLog: (runId: string, index: number) => `CHECKLOG#${runId}#${String(index).padStart(3, "0")}`,
  usageDay: (day: string) => `USAGE#${day}`,
  issueLock: (repository: string | undefined, issueId: string) =>
    `LOCK#${repository ?? "(default)"}#${issueId}`,
  lock: "LOCK",
  slots: "SLOTS",
  slot: (n: number) => `SLOT#${String(n).padStart(4, "0")}`,
  connection: (connectionId: string) => `CONN#${connectionId}`,
  subscription: (workflowId: string) => `SUB#${workflowId}`,
  allWorkflows: "WORKFLOWS",
  status: (status: string) => `STATUS#${status}`,
} as const;

/** CreateTable input for the local runtime; the stacks build the same schema with CDK. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = [
    TABLE_SCHEMA.partitionKey,
    TABLE_SCHEMA.sortKey,
    ...TABLE_SCHEMA.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: "HASH" },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
  };
}
