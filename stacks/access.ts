import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Table } from "sst/constructs";

const READ = ["dynamodb:GetItem", "dynamodb:Query"];
const WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];

/** The table's actions a function may take, by what the function does. */
export type TableAccess = "read" | "readWrite" | "readDelete";

const ACTIONS: Record<TableAccess, string[]> = {
  read: READ,
  readWrite: [...READ, ...WRITE],
  /** The broadcaster reads subscriptions and forgets connections that have gone. */
  readDelete: [...READ, "dynamodb:DeleteItem"],
};

/** Named actions on the table and its indexes only: never `dynamodb:*`. */
export function tableStatement(table: Table, access: TableAccess): PolicyStatement {
  return new PolicyStatement({
    actions: ACTIONS[access],
    resources: [table.tableArn, `${table.tableArn}/index/*`],
  });
}
