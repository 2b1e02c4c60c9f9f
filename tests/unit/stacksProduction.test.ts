import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Template } from "aws-cdk-lib/assertions";
import { deployedSettings } from "../../stacks/functionDefaults";
import { logRetention } from "../../stacks/logs";
import { Api } from "../../stacks/Api";
import { Events } from "../../stacks/Events";
import { Storage } from "../../stacks/Storage";
import { Workflow } from "../../stacks/Workflow";
import { synthesise } from "../support/stacks";

let templateOf: (stack: typeof Storage | typeof Events | typeof Workflow | typeof Api) => Template;

const ALARM_TOPIC = "arn:aws:sns:us-east-1:123456789012:amelia-alarms";

/** Settings of the functions the deployer sets, as `AMELIA_… npx sst deploy` would. */
const SETTINGS = { AMELIA_ALLOW_WORKFLOW_EDITS: "true", AMELIA_MAX_REVIEW_ROUNDS: "2" };

// A production stage deployed with a longer log retention than the default 30 days, a topic
// for its alarms, and settings of its own for the functions.
beforeAll(async () => {
  Object.assign(process.env, SETTINGS, {
    AMELIA_LOG_RETENTION_DAYS: "90",
    AMELIA_ALARM_TOPIC_ARN: ALARM_TOPIC,
  });
  templateOf = await synthesise("prod");
});
afterAll(() => {
  for (const name of [
    ...Object.keys(SETTINGS),
    "AMELIA_LOG_RETENTION_DAYS",
    "AMELIA_ALARM_TOPIC_ARN",
  ]) {
    delete process.env[name];
  }
});

describe("the functions' settings", () => {
  it("reach every function from the environment of the deploy", () => {
    // The app's functions (CDK's and SST's own custom-resource functions have no settings).
    const functions = [Api, Events, Workflow]
      .flatMap((stack) => Object.values(templateOf(stack).findResources("AWS::Lambda::Function")))
      .filter((fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === "amelia");
    expect(functions.length).toBeGreaterThanOrEqual(10);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject(SETTINGS);
    }
  });

  it("fail the deploy when a value is bad, naming it", () => {
    expect(() => deployedSettings({ AMELIA_MAX_REVIEW_ROUNDS: "many" })).toThrow(
      /AMELIA_MAX_REVIEW_ROUNDS: expected a positive integer, got "many"/,
    );
    expect(() => deployedSettings({ AMELIA_ALLOW_WORKFLOW_EDITS: "yes" })).toThrow(
      /AMELIA_ALLOW_WORKFLOW_EDITS/,
    );
    expect(deployedSettings({ AMELIA_MAX_TOKENS: "8000", HOME: "/root" })).toEqual({
      AMELIA_MAX_TOKENS: "8000",
    });
  });
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
