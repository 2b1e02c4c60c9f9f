import { RemovalPolicy } from "aws-cdk-lib";
import { Table, type StackContext } from "sst/constructs";
import { TABLE_SCHEMA } from "@amelia/core/store/table";
import { isProductionStage } from "./stages";

/** The single table: event log, workflow projections, gates, claims and connections. */
export function Storage({ stack, app }: StackContext) {
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
    cdk: {
      table: {
        // Stated here as well as app-wide: the event log is the one thing never to lose.
        removalPolicy: isProductionStage(app.stage) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      },
    },
  });
  return { table };
}
