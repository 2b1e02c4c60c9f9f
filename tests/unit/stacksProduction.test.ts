import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Template } from "aws-cdk-lib/assertions";
import { logRetention } from "../../stacks/logs";
import { Events } from "../../stacks/Events";
import { Storage } from "../../stacks/Storage";
import { Workflow } from "../../stacks/Workflow";
import { synthesise } from "../support/stacks";

let templateOf: (stack: typeof Storage | typeof Events | typeof Workflow) => Template;

const ALARM_TOPIC = "arn:aws:sns:us-east-1:123456789012:amelia-alarms";

// A production stage deployed with a longer log retention than the default 30 days, and a topic
// for its alarms.
beforeAll(async () => {
  process.env.AMELIA_LOG_RETENTION_DAYS = "90";
  process.env.AMELIA_ALARM_TOPIC_ARN = ALARM_TOPIC;
  templateOf = await synthesise("prod");
});
afterAll(() => {
  delete process.env.AMELIA_LOG_RETENTION_DAYS;
  delete process.env.AMELIA_ALARM_TOPIC_ARN;
});

describe("removing a stage", () => {
  it("keeps a production stage's table and data", () => {
    const tables = templateOf(Storage).findResources("AWS::DynamoDB::Table");
    expect(Object.values(tables)[0]?.DeletionPolicy).toBe("Retain");
  });
});

describe("log retention", () => {
  it("is AMELIA_LOG_RETENTION_DAYS for every log group when it is set", () => {
    const groups = [Events, Workflow].flatMap((stack) =>
      Object.values(templateOf(stack).findResources("AWS::Logs::LogGroup")),
    );
    expect(groups.length).toBeGreaterThanOrEqual(10);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(90);
  });

  it("refuses a period CloudWatch does not offer rather than deploying another", () => {
    expect(() => logRetention("45")).toThrow(/AMELIA_LOG_RETENTION_DAYS must be one of .*\b60\b/);
    expect(() => logRetention("a month")).toThrow(/not "a month"/);
    expect(logRetention("")).toBe(30);
    expect(logRetention("365")).toBe(365);
  });
});

describe("alarms", () => {
  it("notify the topic AMELIA_ALARM_TOPIC_ARN names", () => {
    const alarms = [Events, Workflow].flatMap((stack) =>
      Object.values(templateOf(stack).findResources("AWS::CloudWatch::Alarm")),
    );
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([ALARM_TOPIC]);
  });
});
