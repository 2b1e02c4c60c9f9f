import type { CfnRole } from "aws-cdk-lib/aws-iam";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { Function } from "sst/constructs";

const RETENTION_PERIODS = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === "number",
);

/**
 * How long every log group keeps its logs: `AMELIA_LOG_RETENTION_DAYS` when deploying (one of
 * CloudWatch's periods, e.g. 90 for a production stage), 30 days otherwise.
 */
export function logRetention(setting = process.env.AMELIA_LOG_RETENTION_DAYS): RetentionDays {
  if (setting === undefined || setting.trim() === "") return RetentionDays.ONE_MONTH;
  const days = Number(setting);
  const period = RETENTION_PERIODS.find((p) => p === days);
  if (period === undefined) {
    throw new Error(
      `AMELIA_LOG_RETENTION_DAYS must be one of CloudWatch's retention periods ` +
        `(${RETENTION_PERIODS.join(", ")}), not "${setting}"`,
    );
  }
  return period;
}

/** A log group kept for the configured retention. */
export function retainedLogGroup(scope: Construct, id: string): LogGroup {
  return new LogGroup(scope, id, { retention: logRetention() });
}

/**
 * Gives one of the app's functions its own log group, with the retention, and the right to
 * write there only, in place of the managed AWSLambdaBasicExecutionRole (logs on `*`).
 */
export function ownLogs(fn: Function): LogGroup {
  const logGroup = retainedLogGroup(fn, "Logs");
  // SST's Function takes no log group: set it on the resource, as CDK's `logGroup` prop would.
  (fn.node.defaultChild as CfnFunction).loggingConfig = { logGroup: logGroup.logGroupName };
  logGroup.grantWrite(fn);
  (fn.role!.node.defaultChild as CfnRole).managedPolicyArns = [];
  return logGroup;
}
