import { Table, type StackContext } from "sst/constructs";
import { TABLE_SCHEMA } from "@amelia/core/store/table";

/** The single table: event log, workflow projections, gates, claims and connections. */
export function Storage({ stack }: StackContext) {
  const { partitionKey, sortKey, indexes, timeToLiveAttribute } = TABLE_SCHEMA;
  const keyFields = [partitionKey, sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const table = new Table(stack, "Table", {
    fields: Object.fromEntries(keyFields.map((field) => [field, "string" as const])),
    primaryIndex: { partitionKey, sortKey },
    globalIndexes: Object.fromEntries(
      indexes.map((i) => [i.name, { partitionKey: i.partitionKey, sortKey: i.sortKey }]),
    ),
    // Connection items expire on their own when a `$disconnect` never arrives.
    timeToLiveAttribute,
    // Point-in-time recovery: SST's Table turns it on (asserted by the infrastructure tests).
  });
  return { table };
}
