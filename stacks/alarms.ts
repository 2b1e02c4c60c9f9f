import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import { accept } from "./nag";

/** Alarms that fire on the first occurrence: each of these is something lost or failed. */
const ON_ANY = {
  threshold: 0,
  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
  evaluationPeriods: 1,
  treatMissingData: TreatMissingData.NOT_BREACHING,
};

/**
 * A queue where what could not be delivered or processed waits (14 days, SQS's longest) instead
 * of being lost, and an alarm while anything is in it.
 */
export function alarmedDeadLetterQueue(scope: Construct, id: string, holds: string): Queue {
  const queue = new Queue(scope, id, {
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  accept(queue, [
    {
      id: "AwsSolutions-SQS3",
      reason: `It is itself a dead-letter queue (${holds}); nothing reads it but a person`,
    },
  ]);
  new Alarm(scope, `${id}Alarm`, {
    ...ON_ANY,
    alarmDescription: `${holds}: a message is waiting in ${id}`,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: "Maximum",
    }),
  });
  return queue;
}

/** An alarm on every failed execution of the state machine. */
export function alarmOnFailedExecutions(scope: Construct, stateMachine: StateMachine): Alarm {
  return new Alarm(scope, "FailedExecutionsAlarm", {
    ...ON_ANY,
    alarmDescription: "A workflow execution failed",
    metric: stateMachine.metricFailed({ period: Duration.minutes(5), statistic: "Sum" }),
  });
}
