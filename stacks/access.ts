import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function, Table } from "sst/constructs";
import { TABLE_SCHEMA } from "@amelia/core/store/table";

const READ = ["dynamodb:GetItem", "dynamodb:Query"];
const WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

/** The table's actions a function may take, by what the function does. */
export type TableAccess = "read" | "readWrite" | "readWriteNoDelete" | "readDelete";

const ACTIONS: Record<TableAccess, string[]> = {
  read: READ,
  readWrite: [...READ, ...WRITE],
  /** The GitHub status reporter puts and updates its own items and deletes none. */
  readWriteNoDelete: [...READ, "dynamodb:PutItem", "dynamodb:UpdateItem"],
  /** The broadcaster reads subscriptions and forgets connections that have gone. */
  readDelete: [...READ, "dynamodb:DeleteItem"],
};

/**
 * Lets `fn` take named actions (never `dynamodb:*`) on the table and its indexes, each named
 * (no `index/*`).
 */
export function grantTable(fn: Function, table: Table, access: TableAccess): void {
  fn.attachPermissions([
    new PolicyStatement({
      actions: ACTIONS[access],
      resources: [
        table.tableArn,
        ...TABLE_SCHEMA.indexes.map((index) => `${table.tableArn}/index/${index.name}`),
      ],
    }),
  ]);
}
