import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  TreatMissingData,
  type AlarmProps,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import { accept } from "./nag";

/**
 * An alarm that fires on the first occurrence (each of these is something lost or failed), and
 * notifies the SNS topic `AMELIA_ALARM_TOPIC_ARN` names when deploying, if any.
 */
function alarmOnAny(
  scope: Construct,
  id: string,
  props: Pick<AlarmProps, "metric" | "alarmDescription">,
): Alarm {
  const alarm = new Alarm(scope, id, {
    ...props,
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  const topicArn = process.env.AMELIA_ALARM_TOPIC_ARN;
  if (topicArn) {
    alarm.addAlarmAction(new SnsAction(Topic.fromTopicArn(alarm, "Notified", topicArn)));
  }
  return alarm;
}

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
  alarmOnAny(scope, `${id}Alarm`, {
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
  return alarmOnAny(scope, "FailedExecutionsAlarm", {
    alarmDescription: "A workflow execution failed",
    metric: stateMachine.metricFailed({ period: Duration.minutes(5), statistic: "Sum" }),
  });
}
