import { beforeAll, describe, expect, it } from "vitest";
import type { Template } from "aws-cdk-lib/assertions";
import { RULES } from "@amelia/core/definitions/rules";
import { TABLE_SCHEMA } from "@amelia/core/store/table";
import { Api } from "../../stacks/Api";
import { Auth } from "../../stacks/Auth";
import { Events } from "../../stacks/Events";
import { deployedSettings } from "../../stacks/functionDefaults";
import { Storage } from "../../stacks/Storage";
import { Workflow } from "../../stacks/Workflow";
import {
  actionsOf,
  environmentOf,
  holders,
  rendered,
  roleStatements,
  synthesise,
  target,
} from "../support/stacks";

type Resource = { Properties: Record<string, unknown> };

const STACKS = { Storage, Auth, Events, Workflow, Api };
const templates: Record<string, Template> = {};

beforeAll(async () => {
  const templateOf = await synthesise("test");
  for (const [name, stack] of Object.entries(STACKS)) templates[name] = templateOf(stack);
});

const WEBHOOK = "ApiLambdaPOSTapigithubwebhook";
const WEBHOOK_SECRET_PARAMETER = "/sst/amelia/test/Secret/GITHUB_WEBHOOK_SECRET/value";
const GITHUB_TOKEN_PARAMETER = "/sst/amelia/test/Secret/GITHUB_TOKEN/value";

/** Every function of the app, by logical id without CDK's hash suffix. */
function functions(): Array<[string, Resource]> {
  return Object.values(templates).flatMap((template) =>
    Object.entries(template.findResources("AWS::Lambda::Function")).map(
      ([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ""), fn] as [string, Resource],
    ),
  );
}

function fn(name: string): Resource {
  const found = functions().find(([id]) => id === name);
  expect(found, name).toBeDefined();
  return found![1];
}

/**
 * What the function `name` may do, as `action on resource`, but writing to its own log group
 * (every function writes to its own, asserted in stacks.test.ts).
 */
function permissions(name: string): string[] {
  const stack = name.startsWith("ApiLambda") ? "Api" : "Events";
  const statements = roleStatements(templates[stack]!, target(fn(name).Properties.Role)!);
  return [
    ...new Set(
      statements
        .filter((s) => !actionsOf(s).some((a) => a.startsWith("logs:")))
        .flatMap((s) =>
          actionsOf(s).flatMap((a) =>
            [s.Resource].flat().map((resource) => `${a} on ${rendered(resource)}`),
          ),
        ),
    ),
  ].sort();
}

const everyHolder = (action: string, resource: RegExp) =>
  holders(Object.values(templates), action, resource);

describe("GitHub's webhook", () => {
  it("alone may read the webhook secret, and alone is told its parameter", () => {
    expect(everyHolder("ssm:GetParameter", /\/Secret\/GITHUB_WEBHOOK_SECRET\/value$/)).toEqual([
      WEBHOOK,
    ]);
    const told = functions().filter(
      ([, f]) => "AMELIA_GITHUB_WEBHOOK_SECRET_PARAMETER" in environmentOf(f),
    );
    expect(told.map(([id]) => id)).toEqual([WEBHOOK]);
    expect(environmentOf(told[0]![1]).AMELIA_GITHUB_WEBHOOK_SECRET_PARAMETER).toBe(
      WEBHOOK_SECRET_PARAMETER,
    );
  });

  it("may do what create, approve, reject and cancel may do together, and read its secret", () => {
    const routes = [
      "ApiLambdaPOSTapiworkflows",
      "ApiLambdaPOSTapiworkflowsidapprove",
      "ApiLambdaPOSTapiworkflowsidreject",
      "ApiLambdaPOSTapiworkflowsidcancel",
    ];
    const together = new Set(routes.flatMap(permissions));
    const secret = `ssm:GetParameter on arn:<AWS::Partition>:ssm:us-east-1:my-account:parameter${WEBHOOK_SECRET_PARAMETER}`;
    expect(permissions(WEBHOOK)).toEqual([...together, secret].sort());
    // Resume's: it never redrives an execution.
    expect(permissions(WEBHOOK).join("\n")).not.toMatch(/RedriveExecution|DescribeExecution/);
  });

  it("keeps its idempotency records in the table, which expires items on `expiresAt`", () => {
    const [table] = Object.values(templates.Storage!.findResources("AWS::DynamoDB::Table"));
    // The attribute Powertools' DynamoDB persistence is given for the records' expiry.
    expect(TABLE_SCHEMA.timeToLiveAttribute).toBe("expiresAt");
    expect(table!.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: "expiresAt",
      Enabled: true,
    });
    // Powertools puts a record (conditionally), reads, completes and deletes it.
    const tableArn = /^\{"Fn::ImportValue":"test-amelia-Storage:ExportsOutputFnGetAttTable/;
    for (const action of [
      "dynamodb:PutItem",
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
    ]) {
      const onTable = roleStatements(templates.Api!, target(fn(WEBHOOK).Properties.Role)!).filter(
        (s) =>
          actionsOf(s).includes(action) &&
          [s.Resource].flat().some((resource) => tableArn.test(rendered(resource))),
      );
      expect(onTable, action).toHaveLength(1);
    }
  });

  it("is told the table, the bus, the state machine and where its secrets are, never their values", () => {
    const environment = environmentOf(fn(WEBHOOK));
    expect(Object.keys(environment)).toEqual(
      expect.arrayContaining([
        "AMELIA_TABLE_NAME",
        "AMELIA_EVENT_BUS_NAME",
        "AMELIA_STATE_MACHINE_ARN",
      ]),
    );
    expect(environment).toMatchObject({
      AMELIA_ANTHROPIC_API_KEY_PARAMETER: "/sst/amelia/test/Secret/ANTHROPIC_API_KEY/value",
      AMELIA_GITHUB_TOKEN_PARAMETER: GITHUB_TOKEN_PARAMETER,
      AMELIA_GITHUB_WEBHOOK_SECRET_PARAMETER: WEBHOOK_SECRET_PARAMETER,
    });
    expect(Object.keys(environment)).not.toContain("GITHUB_WEBHOOK_SECRET");
  });
});

describe("the GitHub status reporter", () => {
  it("is the target of report-to-github alone, with the rules' dead-letter queue", () => {
    const rules = Object.values(templates.Events!.findResources("AWS::Events::Rule"));
    const targeting = rules.filter((rule) =>
      (rule.Properties.Targets as { Arn: unknown }[]).some(
        (t) => target(t.Arn)?.replace(/[0-9A-F]{8}$/, "") === "GithubStatus",
      ),
    );
    expect(targeting.map((rule) => rule.Properties.Name)).toEqual(["test-amelia-report-to-github"]);
    const [rule] = targeting;
    expect(rule!.Properties.EventPattern).toEqual(
      RULES.find((r) => r.name === "report-to-github")!.pattern,
    );
    expect(rule!.Properties.Targets).toEqual([
      expect.objectContaining({
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [expect.stringMatching(/^DeadLetters/), "Arn"] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
      }),
    ]);
  });

  it("may read the table, put and update its items and read the GitHub token: nothing else", () => {
    const table =
      '{"Fn::ImportValue":"test-amelia-Storage:ExportsOutputFnGetAttTable710B521BArn570AFAD4"}';
    const onTable = (action: string) => [
      `${action} on ${table}`,
      ...TABLE_SCHEMA.indexes.map((index) => `${action} on ${table}/index/${index.name}`),
    ];
    expect(permissions("GithubStatus")).toEqual(
      [
        ...["GetItem", "Query", "PutItem", "UpdateItem"].flatMap((a) => onTable(`dynamodb:${a}`)),
        `ssm:GetParameter on arn:<AWS::Partition>:ssm:us-east-1:my-account:parameter${GITHUB_TOKEN_PARAMETER}`,
        // What it failed on after Lambda's retries (stacks.test.ts: its own alarmed queue).
        ...["GetQueueAttributes", "GetQueueUrl", "SendMessage"].map(
          (a) => `sqs:${a} on <FailedStatusReports.Arn>`,
        ),
      ].sort(),
    );
  });

  it("is told the table and the GitHub token's parameter, sized as a step", () => {
    const reporter = fn("GithubStatus");
    expect(environmentOf(reporter)).toMatchObject({
      AMELIA_TABLE_NAME: expect.anything(),
      AMELIA_GITHUB_TOKEN_PARAMETER: GITHUB_TOKEN_PARAMETER,
    });
    expect(
      Object.keys(environmentOf(reporter)).filter((name) => name.endsWith("_PARAMETER")),
    ).toEqual(["AMELIA_GITHUB_TOKEN_PARAMETER"]);
    expect(reporter.Properties).toMatchObject({ MemorySize: 256, Timeout: 30 });
  });
});

describe("the GitHub settings of a deploy", () => {
  it("pass to the functions as they are when they are good", () => {
    const settings = {
      AMELIA_GITHUB_LABEL: "amelia: please",
      AMELIA_GITHUB_REPOSITORIES: "acme/app, acme/site.io  octo-org/x_y-1",
      AMELIA_GITHUB_BOT_LOGIN: "amelia-bot[bot]",
    };
    expect(deployedSettings(settings)).toEqual(settings);
  });

  it("fail the deploy when a value is bad, with the functions' own message", () => {
    const refused: Array<[Record<string, string>, RegExp]> = [
      [{ AMELIA_GITHUB_LABEL: "x".repeat(51) }, /AMELIA_GITHUB_LABEL: at most 50 characters/],
      [
        { AMELIA_GITHUB_REPOSITORIES: "acme/app,acme" },
        /AMELIA_GITHUB_REPOSITORIES: "acme" is not owner\/name/,
      ],
      [{ AMELIA_GITHUB_REPOSITORIES: "acme/app acme/.." }, /"acme\/\.\." is not owner\/name/],
      [
        { AMELIA_GITHUB_BOT_LOGIN: "amelia bot" },
        /AMELIA_GITHUB_BOT_LOGIN: "amelia bot" is not a GitHub login/,
      ],
      [{ AMELIA_GITHUB_BOT_LOGIN: "amelia-" }, /AMELIA_GITHUB_BOT_LOGIN/],
    ];
    for (const [settings, message] of refused) {
      expect(() => deployedSettings(settings), JSON.stringify(settings)).toThrow(message);
    }
  });
});
