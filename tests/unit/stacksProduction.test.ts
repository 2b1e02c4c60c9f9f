import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Template } from "aws-cdk-lib/assertions";
import { checksSettings } from "../../stacks/checks";
import { deployedSettings } from "../../stacks/functionDefaults";
import { logRetention } from "../../stacks/logs";
import { Api } from "../../stacks/Api";
import { Events } from "../../stacks/Events";
import { Storage } from "../../stacks/Storage";
import { Workflow } from "../../stacks/Workflow";
import { nagFindings, rendered, roleStatements, synthesise, target } from "../support/stacks";

let templateOf: (stack: typeof Storage | typeof Events | typeof Workflow | typeof Api) => Template;

const ALARM_TOPIC = "arn:aws:sns:us-east-1:123456789012:amelia-alarms";

/** Settings of the functions the deployer sets, as `AMELIA_… npx sst deploy` would. */
const SETTINGS = {
  AMELIA_ALLOW_WORKFLOW_EDITS: "true",
  AMELIA_MAX_REVIEW_ROUNDS: "2",
  AMELIA_MAX_CHECK_ROUNDS: "4",
  AMELIA_GITHUB_LABEL: "amelia",
  AMELIA_GITHUB_REPOSITORIES: "acme/app, acme/site",
  AMELIA_GITHUB_BOT_LOGIN: "amelia-bot",
};

/** Settings of the stacks themselves. */
const STACK_SETTINGS = {
  AMELIA_LOG_RETENTION_DAYS: "90",
  AMELIA_ALARM_TOPIC_ARN: ALARM_TOPIC,
  AMELIA_CHECKS_COMPUTE: "ec2",
  AMELIA_CHECKS_VPC: "isolated",
};

// A production stage deployed with a longer log retention than the default 30 days, a topic
// for its alarms, its checks on EC2 compute in a VPC with no way out, and settings of its own
// for the functions.
beforeAll(async () => {
  Object.assign(process.env, SETTINGS, STACK_SETTINGS);
  templateOf = await synthesise("prod", { nag: true });
});
afterAll(() => {
  for (const name of [...Object.keys(SETTINGS), ...Object.keys(STACK_SETTINGS)]) {
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
    expect(() => deployedSettings({ AMELIA_MAX_CHECK_ROUNDS: "0" })).toThrow(
      /AMELIA_MAX_CHECK_ROUNDS: expected a positive integer, got "0"/,
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

  it("keeps its checks' bucket, objects and all (they expire on their own)", () => {
    const workflow = templateOf(Workflow);
    const buckets = Object.values(workflow.findResources("AWS::S3::Bucket"));
    expect(buckets.map((bucket) => bucket.DeletionPolicy)).toEqual(["Retain"]);
    expect(workflow.findResources("Custom::S3AutoDeleteObjects")).toEqual({});
  });
});

describe("checks on EC2 compute in an isolated VPC", () => {
  const only = (type: string) => {
    const found = Object.entries(templateOf(Workflow).findResources(type));
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it("run on a small Linux container for up to an hour, which the functions are told", () => {
    const [, project] = only("AWS::CodeBuild::Project");
    expect(project.Properties.Environment).toEqual({
      Type: "LINUX_CONTAINER",
      ComputeType: "BUILD_GENERAL1_SMALL",
      Image: "aws/codebuild/standard:7.0",
      ImagePullCredentialsType: "CODEBUILD",
      PrivilegedMode: false,
    });
    expect(project.Properties.TimeoutInMinutes).toBe(60);
  });

  it("run in subnets with no route out, reaching S3 and CloudWatch Logs through endpoints", () => {
    const workflow = templateOf(Workflow);
    const [vpcId] = only("AWS::EC2::VPC");
    for (const type of ["AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::EIP"]) {
      expect(workflow.findResources(type), type).toEqual({});
    }
    // The route tables' only routes are the S3 endpoint's (a gateway endpoint adds no AWS::EC2::Route).
    expect(workflow.findResources("AWS::EC2::Route")).toEqual({});
    const endpoints = Object.values(workflow.findResources("AWS::EC2::VPCEndpoint")).map(
      (endpoint) => ({
        type: endpoint.Properties.VpcEndpointType,
        service: rendered(endpoint.Properties.ServiceName),
        vpc: target(endpoint.Properties.VpcId),
      }),
    );
    expect(endpoints).toEqual([
      { type: "Gateway", service: "com.amazonaws.<AWS::Region>.s3", vpc: vpcId },
      { type: "Interface", service: "com.amazonaws.us-east-1.logs", vpc: vpcId },
    ]);
    const [, project] = only("AWS::CodeBuild::Project");
    const subnets = Object.keys(workflow.findResources("AWS::EC2::Subnet"));
    expect(subnets).toHaveLength(2);
    expect(project.Properties.VpcConfig).toMatchObject({
      VpcId: { Ref: vpcId },
      Subnets: subnets.map((id) => ({ Ref: id })),
    });
    const [groupId, group] = Object.entries(workflow.findResources("AWS::EC2::SecurityGroup")).find(
      ([, group]) => group.Properties.GroupDescription === "Checks builds: nothing inbound",
    )!;
    expect(project.Properties.VpcConfig.SecurityGroupIds).toEqual([
      { "Fn::GetAtt": [groupId, "GroupId"] },
    ]);
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(workflow.findResources("AWS::EC2::SecurityGroupIngress")).toEqual({});
  });

  it("may put their network interfaces in those subnets, besides their source, results and logs", () => {
    const workflow = templateOf(Workflow);
    const [, project] = only("AWS::CodeBuild::Project");
    const roleId = target(project.Properties.ServiceRole)!;
    const subnets = Object.keys(workflow.findResources("AWS::EC2::Subnet"));
    const statements = roleStatements(workflow, roleId);
    expect(statements.map((s) => [s.Action].flat().sort())).toEqual([
      ["s3:GetObject"],
      ["s3:PutObject"],
      ["s3:GetBucketAcl", "s3:GetBucketLocation"],
      ["logs:CreateLogStream", "logs:PutLogEvents"],
      [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ],
      ["ec2:CreateNetworkInterfacePermission"],
    ]);
    const attach = statements.at(-1)!;
    expect(rendered(attach.Resource)).toMatch(/:network-interface\/\*$/);
    expect(attach.Condition).toEqual({
      StringEquals: {
        "ec2:AuthorizedService": "codebuild.amazonaws.com",
        "ec2:Subnet": subnets.map((id) =>
          expect.objectContaining({ "Fn::Join": ["", expect.arrayContaining([{ Ref: id }])] }),
        ),
      },
    });
    // CodeBuild checks those permissions when it creates the project.
    expect(project.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^ChecksBuildRoleDefaultPolicy/)]),
    );
  });

  it("leave cdk-nag nothing unsuppressed", () => {
    expect(nagFindings(Workflow)).toEqual([]);
  });

  it("are refused where CodeBuild could not run them, naming the setting", () => {
    expect(() => checksSettings({ AMELIA_CHECKS_VPC: "isolated" })).toThrow(
      /AMELIA_CHECKS_VPC=isolated needs AMELIA_CHECKS_COMPUTE=ec2/,
    );
    expect(() => checksSettings({ AMELIA_CHECKS_COMPUTE: "fargate" })).toThrow(
      /AMELIA_CHECKS_COMPUTE must be "lambda" or "ec2", not "fargate"/,
    );
    expect(() => checksSettings({ AMELIA_CHECKS_VPC: "private" })).toThrow(
      /AMELIA_CHECKS_VPC must be "isolated" or unset, not "private"/,
    );
    expect(checksSettings({})).toEqual({ compute: "lambda", isolated: false });
    expect(checksSettings({ AMELIA_CHECKS_COMPUTE: "ec2" })).toEqual({
      compute: "ec2",
      isolated: false,
    });
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
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([ALARM_TOPIC]);
  });
});
