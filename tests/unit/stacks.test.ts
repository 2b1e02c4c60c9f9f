import { beforeAll, describe, expect, it } from "vitest";
import { Template } from "aws-cdk-lib/assertions";
import { EVENT_FUNCTIONS, TASK_FUNCTIONS } from "@amelia/core/definitions/functions";
import { RULES } from "@amelia/core/definitions/rules";
import { HTTP_ROUTES, WEBSOCKET_ROUTES } from "@amelia/core/definitions/routes";
import { workflowDefinition } from "@amelia/core/definitions/stateMachine";
import { TABLE_SCHEMA } from "@amelia/core/store/table";
import { Api } from "../../stacks/Api";
import { Auth } from "../../stacks/Auth";
import { Events } from "../../stacks/Events";
import { logicalId } from "../../stacks/logicalId";
import { Storage } from "../../stacks/Storage";
import {
  CODEBUILD_SYNC_RULE,
  FUNCTION_PLACEHOLDERS,
  RESOURCE_PLACEHOLDERS,
  Workflow,
} from "../../stacks/Workflow";
import { contentSecurityPolicy, Web } from "../../stacks/Web";
import {
  actionsOf,
  environmentOf,
  holders as holdersIn,
  nagFindings,
  policyStatements,
  rendered,
  roleStatements,
  synthesise,
  target,
  type Statement,
} from "../support/stacks";

type Resource = { Properties: Record<string, unknown>; DeletionPolicy?: string };

const templates: Record<string, Template> = {};
const STACKS = { Storage, Auth, Events, Workflow, Api, Web };

beforeAll(async () => {
  const templateOf = await synthesise("test", { nag: true });
  for (const [name, stack] of Object.entries(STACKS)) templates[name] = templateOf(stack);
});

function resources(type: string, stacks = Object.keys(STACKS)): Array<[string, Resource]> {
  return stacks.flatMap((stack) => Object.entries(templates[stack]!.findResources(type))) as Array<
    [string, Resource]
  >;
}

/** Every IAM statement of every policy, with the policy's logical id. */
const statements = () => policyStatements(Object.values(templates));

/** The one resource of `type` in the Workflow stack. */
function onlyWorkflowResource(type: string): [string, Resource] {
  const found = resources(type, ["Workflow"]);
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0]!;
}

/** Who may take `action` on a resource that reads like `resource` (`holders` of support). */
const holders = (action: string, resource: RegExp) =>
  holdersIn(Object.values(templates), action, resource);

describe("the deployed state machine", () => {
  it("is the shared ASL, each task's function substituted by its ARN, the checks' project and bucket by name", () => {
    const [[, machine]] = resources("AWS::StepFunctions::StateMachine", ["Workflow"]) as [
      [string, Resource],
    ];
    expect(machine.Properties.StateMachineType).toBe("STANDARD");
    expect(JSON.parse(machine.Properties.DefinitionString as string)).toEqual(
      workflowDefinition(FUNCTION_PLACEHOLDERS, RESOURCE_PLACEHOLDERS),
    );
    const { checksProject, checksBucket, ...functionArns } = machine.Properties
      .DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(functionArns).sort()).toEqual(Object.keys(TASK_FUNCTIONS).sort());
    // A Ref of either is its name, which RunChecks passes to CodeBuild.
    expect(checksProject).toEqual({ Ref: onlyWorkflowResource("AWS::CodeBuild::Project")[0] });
    expect(checksBucket).toEqual({ Ref: onlyWorkflowResource("AWS::S3::Bucket")[0] });
    for (const [name, arn] of Object.entries(functionArns)) {
      const [functionId, attribute] = (arn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"];
      expect(attribute).toBe("Arn");
      expect(functionId).toMatch(new RegExp(`^${logicalId(name)}[0-9A-F]{8}$`));
    }
  });

  it("waits for a person at every gate with .waitForTaskToken", () => {
    const definition = workflowDefinition(FUNCTION_PLACEHOLDERS, RESOURCE_PLACEHOLDERS);
    const gates = Object.entries(definition.States).filter(
      ([, state]) => state.Resource === "arn:aws:states:::lambda:invoke.waitForTaskToken",
    );
    expect(gates.map(([name]) => name)).toEqual([
      "ArchitectBudget",
      "PlanGate",
      "DeveloperBudget",
      "ReviewerBudget",
      "ReviewGate",
    ]);
  });

  it("logs without execution data, where the gates' task tokens are", () => {
    const [[, machine]] = resources("AWS::StepFunctions::StateMachine", ["Workflow"]) as [
      [string, Resource],
    ];
    expect(machine.Properties.LoggingConfiguration).toMatchObject({
      Level: "ALL",
      IncludeExecutionData: false,
    });
  });
});

describe("auth", () => {
  it("puts the token authorizer on every HTTP route but the health check and GitHub's webhook", () => {
    const routes = resources("AWS::ApiGatewayV2::Route", ["Api"]);
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(
      HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    // Named here, not read from the definitions: opening another route must change this test.
    // Each with what cdk-nag's finding on it is accepted for.
    const open: Record<string, RegExp> = {
      "GET /api/health": /health check/,
      "POST /api/github/webhook": /X-Hub-Signature-256/,
    };
    expect(HTTP_ROUTES.filter((r) => !r.auth).map((r) => `${r.method} ${r.path}`)).toEqual(
      Object.keys(open),
    );
    const [[authorizerId, authorizer]] = resources("AWS::ApiGatewayV2::Authorizer", ["Api"]) as [
      [string, Resource],
    ];
    for (const [id, route] of routes) {
      const key = String(route.Properties.RouteKey);
      const reason = open[key];
      if (reason) {
        expect(route.Properties.AuthorizationType, key).toBe("NONE");
        expect(route.Properties.AuthorizerId, key).toBeUndefined();
        const suppressed = (
          templates.Api!.toJSON().Resources[id] as {
            Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } };
          }
        ).Metadata?.cdk_nag?.rules_to_suppress;
        expect(suppressed, key).toContainEqual({
          id: "AwsSolutions-APIG4",
          reason: expect.stringMatching(reason),
        });
      } else {
        expect(route.Properties.AuthorizationType, key).toBe("CUSTOM");
        expect(target(route.Properties.AuthorizerId), key).toBe(authorizerId);
      }
    }
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: "REQUEST",
      AuthorizerPayloadFormatVersion: "2.0",
      EnableSimpleResponses: true,
      IdentitySource: ["$request.header.Authorization"],
    });
  });

  it("puts it on the WebSocket $connect, reading ?token=", () => {
    const routes = resources("AWS::ApiGatewayV2::Route", ["Events"]).map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      WEBSOCKET_ROUTES.map((r) => r.routeKey).sort(),
    );
    for (const route of routes) {
      const expected = route.RouteKey === "$connect" ? "CUSTOM" : "NONE";
      expect(route.AuthorizationType, String(route.RouteKey)).toBe(expected);
    }
    const [[, authorizer]] = resources("AWS::ApiGatewayV2::Authorizer", ["Events"]) as [
      [string, Resource],
    ];
    expect(authorizer.Properties.IdentitySource).toEqual(["route.request.querystring.token"]);
  });

  it("routes that reply to the sender have a route response", () => {
    const responses = resources("AWS::ApiGatewayV2::RouteResponse", ["Events"]);
    const replying = WEBSOCKET_ROUTES.filter((r) => r.replies);
    expect(responses).toHaveLength(replying.length);
  });

  it("generates the API token in Secrets Manager and passes functions only secret names", () => {
    const [[, secret]] = resources("AWS::SecretsManager::Secret", ["Auth"]) as [[string, Resource]];
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 48 });
    for (const [id, fn] of resources("AWS::Lambda::Function")) {
      const variables = Object.keys(environmentOf(fn));
      for (const forbidden of [
        "AMELIA_API_TOKEN",
        "ANTHROPIC_API_KEY",
        "GITHUB_TOKEN",
        "GITHUB_WEBHOOK_SECRET",
      ]) {
        expect(variables, id).not.toContain(forbidden);
      }
    }
  });
});

describe("functions", () => {
  it("all run on Node 22 or 24; ours on arm64", () => {
    const functions = resources("AWS::Lambda::Function");
    // SST's and CDK's own helpers (custom resources, the site upload) are not ours to size.
    const ours = functions.filter(([id]) => !/^Custom/.test(id));
    expect(ours.length).toBe(
      HTTP_ROUTES.length +
        WEBSOCKET_ROUTES.length +
        Object.keys(TASK_FUNCTIONS).length +
        Object.keys(EVENT_FUNCTIONS).length +
        1, // the authorizer
    );
    for (const [id, fn] of functions) {
      expect(["nodejs22.x", "nodejs24.x"], id).toContain(fn.Properties.Runtime);
    }
    for (const [id, fn] of ours) expect(fn.Properties.Architectures, id).toEqual(["arm64"]);
  });

  it("agents, and prepareChecks which zips a workspace, may run for Lambda's 15 minutes; API handlers are short", () => {
    const timeouts = Object.fromEntries(
      resources("AWS::Lambda::Function").map(([id, fn]) => [id, fn.Properties.Timeout]),
    );
    for (const agent of ["Architect", "Developer", "Reviewer", "PrepareChecks"]) {
      const id = Object.keys(timeouts).find((key) => key.startsWith(agent))!;
      expect(timeouts[id], agent).toBe(900);
    }
    const api = Object.entries(timeouts).filter(([id]) => id.startsWith("ApiLambda"));
    expect(api).toHaveLength(HTTP_ROUTES.length);
    for (const [id, timeout] of api) expect(timeout, id).toBeLessThanOrEqual(29);
  });
});

describe("least privilege", () => {
  it("no statement grants a `*` action", () => {
    const all = statements();
    expect(all.length).toBeGreaterThan(20);
    for (const [id, statement] of all) {
      for (const action of actionsOf(statement)) {
        expect(action, id).not.toMatch(/(^\*$)|(:\*$)/);
      }
    }
  });

  it("DynamoDB actions are granted on the table and its indexes only", () => {
    for (const [id, statement] of statements()) {
      if (!actionsOf(statement).some((a) => a.startsWith("dynamodb:"))) continue;
      expect(statement.Resource, id).not.toBe("*");
      expect(JSON.stringify(statement.Resource), id).toContain("Table");
    }
  });

  it("only approve, reject, budget and GitHub's webhook may answer a gate (states:SendTask*)", () => {
    for (const action of ["states:SendTaskSuccess", "states:SendTaskFailure"]) {
      expect(holders(action, /.*/), action).toEqual([
        "ApiLambdaPOSTapigithubwebhook",
        "ApiLambdaPOSTapiworkflowsidapprove",
        "ApiLambdaPOSTapiworkflowsidbudget",
        "ApiLambdaPOSTapiworkflowsidreject",
      ]);
    }
    const answering = statements().filter(([, s]) =>
      actionsOf(s).some((a) => a.startsWith("states:SendTask")),
    );
    expect(answering.map(([id]) => id)).toHaveLength(4);
  });

  it("only create and GitHub's webhook may start an execution, only cancel and the webhook stop one", () => {
    expect(holders("states:StartExecution", /.*/)).toEqual([
      "ApiLambdaPOSTapigithubwebhook",
      "ApiLambdaPOSTapiworkflows",
    ]);
    expect(holders("states:StopExecution", /:execution:/)).toEqual([
      "ApiLambdaPOSTapigithubwebhook",
      "ApiLambdaPOSTapiworkflowsidcancel",
    ]);
    expect(holders("states:StopExecution", /.*/)).toEqual(
      holders("states:StopExecution", /:execution:/),
    );
  });

  it("only resume may redrive an execution, and only this state machine's", () => {
    const holders = statements().filter(([, s]) =>
      actionsOf(s).includes("states:RedriveExecution"),
    );
    expect(holders.map(([id]) => id.replace(/ServiceRole.*$/, ""))).toEqual([
      "ApiLambdaPOSTapiworkflowsidresume",
    ]);
    expect(JSON.stringify(holders[0]![1].Resource)).toContain(":execution:");
  });

  it("only the broadcaster may post to connections", () => {
    const holders = statements()
      .filter(([, s]) => actionsOf(s).includes("execute-api:ManageConnections"))
      .map(([id]) => id);
    expect(holders).toHaveLength(1);
    expect(holders[0]).toMatch(/^Broadcaster/);
  });

  it("each secret is readable only by the functions that use it", () => {
    const readers = (secret: string) =>
      holders("ssm:GetParameter", new RegExp(`:parameter/sst/amelia/test/Secret/${secret}/value$`));
    expect(readers("ANTHROPIC_API_KEY")).toEqual([
      "ApiLambdaGETapihealth",
      "ApiLambdaPOSTapigithubwebhook",
      "ApiLambdaPOSTapiworkflows",
      "Architect",
      "Developer",
      "Reviewer",
    ]);
    expect(readers("GITHUB_TOKEN")).toEqual([
      "ApiLambdaGETapiworkflowsiddiff",
      "ApiLambdaPOSTapigithubwebhook",
      "ApiLambdaPOSTapiworkflows",
      "Architect",
      "Developer",
      "Finish",
      "GithubStatus",
      "PrepareChecks",
      "Reviewer",
    ]);
    // (The webhook secret's one reader: stacksGitHub.test.ts.) No parameter but the three
    // secrets', each statement on one.
    for (const [id, statement] of statements()) {
      if (!actionsOf(statement).some((a) => a.startsWith("ssm:"))) continue;
      expect(actionsOf(statement), id).toEqual(["ssm:GetParameter"]);
      expect(rendered(statement.Resource), id).toMatch(
        /:parameter\/sst\/amelia\/test\/Secret\/(ANTHROPIC_API_KEY|GITHUB_TOKEN|GITHUB_WEBHOOK_SECRET)\/value$/,
      );
    }
    const tokenReaders = statements().filter(([, s]) =>
      actionsOf(s).includes("secretsmanager:GetSecretValue"),
    );
    expect(tokenReaders.map(([id]) => id.replace(/ServiceRole.*$/, ""))).toEqual(["Authorizer"]);
  });

  it("grant no Bedrock model unless the agents are deployed to call Bedrock", () => {
    const bedrock = statements().filter(([, s]) =>
      actionsOf(s).some((a) => a.startsWith("bedrock:")),
    );
    expect(bedrock).toEqual([]);
  });

  it("read-only routes cannot write", () => {
    const writes = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"];
    const readOnly = HTTP_ROUTES.filter((r) => r.method === "GET").map((r) =>
      `ApiLambda${r.method}${r.path}`.replace(/[^A-Za-z0-9]/g, ""),
    );
    for (const [id, statement] of statements()) {
      if (!readOnly.some((prefix) => id.startsWith(prefix))) continue;
      for (const action of actionsOf(statement)) expect(writes, id).not.toContain(action);
    }
  });
});

describe("events and storage", () => {
  it("deploys the shared rules, each target with a dead-letter queue", () => {
    const rules = resources("AWS::Events::Rule", ["Events"]).map(([, r]) => r.Properties);
    expect(rules).toHaveLength(RULES.length);
    for (const rule of RULES) {
      const deployed = rules.find((r) => String(r.Name).endsWith(rule.name));
      expect(deployed, rule.name).toBeDefined();
      expect(deployed!.EventPattern).toEqual(rule.pattern);
      const targets = deployed!.Targets as Array<{ DeadLetterConfig?: { Arn: unknown } }>;
      expect(targets).toHaveLength(rule.targets.length);
      for (const target of targets) expect(target.DeadLetterConfig?.Arn, rule.name).toBeDefined();
    }
  });

  it("keeps the table with point-in-time recovery and expiring connection items", () => {
    const [[, table]] = resources("AWS::DynamoDB::Table", ["Storage"]) as [[string, Resource]];
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_SCHEMA.timeToLiveAttribute,
      Enabled: true,
    });
    // A personal stage goes away whole with `sst remove` (production stages keep it).
    expect((table as Resource & { DeletionPolicy?: string }).DeletionPolicy).toBe("Delete");
    const indexes = table.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string }>;
    expect(indexes.map((i) => i.IndexName)).toEqual(TABLE_SCHEMA.indexes.map((i) => i.name));
  });

  it("prints the web, API and WebSocket URLs", () => {
    expect(Object.keys(templates.Api!.toJSON().Outputs)).toContain("ApiUrl");
    expect(Object.keys(templates.Events!.toJSON().Outputs)).toContain("WebSocketUrl");
    expect(Object.keys(templates.Web!.toJSON().Outputs)).toContain("WebUrl");
  });
});

describe("the checks' builds", () => {
  it("keep sources and results a day, encrypted, never public, over TLS only", () => {
    const [bucketId, bucket] = onlyWorkflowResource("AWS::S3::Bucket");
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
      ],
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          ExpirationInDays: 1,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: "Enabled",
        },
      ],
    });
    // A personal stage goes away whole, the bucket emptied first.
    expect(bucket.DeletionPolicy).toBe("Delete");
    const [, policy] = onlyWorkflowResource("AWS::S3::BucketPolicy");
    expect(target(policy.Properties.Bucket)).toBe(bucketId);
    expect(
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    ).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
  });

  it("run on Lambda compute (Node.js 22, bash, 2 GB), with no environment of their own", () => {
    const [, project] = onlyWorkflowResource("AWS::CodeBuild::Project");
    // Exactly these: no environment variables, so nothing secret in them.
    expect(project.Properties.Environment).toEqual({
      Type: "LINUX_LAMBDA_CONTAINER",
      ComputeType: "BUILD_LAMBDA_2GB",
      Image: "aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22",
      PrivilegedMode: false,
    });
    // Lambda compute takes no timeout: 15 minutes is its own.
    expect(project.Properties.TimeoutInMinutes).toBeUndefined();
    // Every build brings its source and artifacts (S3) as overrides.
    expect(project.Properties.Source).toMatchObject({ Type: "NO_SOURCE" });
    expect(project.Properties.Artifacts).toEqual({ Type: "NO_ARTIFACTS" });
  });

  it("may read their sources, write their results and logs, and nothing else", () => {
    const [, project] = onlyWorkflowResource("AWS::CodeBuild::Project");
    const roleId = target(project.Properties.ServiceRole)!;
    const role = templates.Workflow!.toJSON().Resources[roleId] as Resource;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Action: "sts:AssumeRole",
          Principal: { Service: "codebuild.amazonaws.com" },
          Condition: { StringEquals: { "aws:SourceAccount": expect.anything() } },
        },
      ],
    });
    const logs = (project.Properties.LogsConfig as { CloudWatchLogs: { GroupName: unknown } })
      .CloudWatchLogs.GroupName;
    expect(
      roleStatements(templates.Workflow!, roleId).map((s) => ({
        effect: s.Effect,
        actions: actionsOf(s).sort(),
        resource: rendered(s.Resource),
      })),
    ).toEqual([
      { effect: "Allow", actions: ["s3:GetObject"], resource: "<ChecksBucket.Arn>/sources/*" },
      { effect: "Allow", actions: ["s3:PutObject"], resource: "<ChecksBucket.Arn>/results/*" },
      {
        effect: "Allow",
        actions: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
        resource: "<ChecksBucket.Arn>",
      },
      {
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resource: "<ChecksBuildLogs.Arn>",
      },
    ]);
    expect(rendered(logs)).toBe("<ChecksBuildLogs>");
  });

  it("are started by the state machine and the agents' tools, on the checks' project only", () => {
    expect(holders("codebuild:StartBuild", /.*/)).toEqual([
      "Developer",
      "Reviewer",
      "StateMachine",
    ]);
    expect(holders("codebuild:BatchGetBuilds", /.*/)).toEqual([
      "Developer",
      "Reviewer",
      "StateMachine",
    ]);
    // A stopped execution stops its build.
    expect(holders("codebuild:StopBuild", /.*/)).toEqual(["StateMachine"]);
    const codebuild = statements().filter(([, s]) =>
      actionsOf(s).some((a) => a.startsWith("codebuild:")),
    );
    for (const [id, statement] of codebuild) {
      expect(rendered(statement.Resource), id).toBe("<ChecksProject.Arn>");
    }
  });

  it("are followed by the state machine through Step Functions' own rule, and no other", () => {
    const rules = statements().filter(([, s]) =>
      actionsOf(s).some((a) => a.startsWith("events:Put")),
    );
    const [[id, statement]] = rules.filter(
      ([, s]) => !actionsOf(s).includes("events:PutEvents"),
    ) as [[string, Statement]];
    expect(id).toMatch(/^StateMachineRole/);
    expect(actionsOf(statement).sort()).toEqual([
      "events:DescribeRule",
      "events:PutRule",
      "events:PutTargets",
    ]);
    expect(rendered(statement.Resource)).toBe(
      `arn:<AWS::Partition>:events:us-east-1:my-account:rule/${CODEBUILD_SYNC_RULE}`,
    );
  });

  it("get sources from prepareChecks and the agents' tools; recordChecks and the tools read results", () => {
    expect(holders("s3:PutObject", /\/sources\/\*$/)).toEqual([
      "Developer",
      "PrepareChecks",
      "Reviewer",
    ]);
    expect(holders("s3:GetObject", /\/sources\/\*$/)).toEqual(["ChecksBuild"]);
    expect(holders("s3:PutObject", /\/results\/\*$/)).toEqual(["ChecksBuild"]);
    expect(holders("s3:GetObject", /\/results\/\*$/)).toEqual([
      "Developer",
      "RecordChecks",
      "Reviewer",
    ]);
    // Listing lets a reader tell results a build never left (NoSuchKey) from a refusal.
    expect(holders("s3:ListBucket", /^<ChecksBucket\.Arn>$/)).toEqual([
      "Developer",
      "RecordChecks",
      "Reviewer",
    ]);
    for (const [id, statement] of statements()) {
      if (!actionsOf(statement).some((a) => a.startsWith("s3:"))) continue;
      expect(rendered(statement.Resource), id).toMatch(/^<ChecksBucket\.Arn>/);
    }
  });

  it("are found by the functions that use them from their environment", () => {
    const [projectId] = onlyWorkflowResource("AWS::CodeBuild::Project");
    const [bucketId] = onlyWorkflowResource("AWS::S3::Bucket");
    const users = resources("AWS::Lambda::Function", ["Workflow"]).filter(
      ([, fn]) =>
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables?.AMELIA_CHECKS_PROJECT,
    );
    expect(users.map(([id]) => id.replace(/[0-9A-F]{8}$/, "")).sort()).toEqual([
      "Developer",
      "PrepareChecks",
      "RecordChecks",
      "Reviewer",
    ]);
    for (const [id, fn] of users) {
      expect((fn.Properties.Environment as { Variables: object }).Variables, id).toMatchObject({
        AMELIA_CHECKS_PROJECT: { Ref: projectId },
        AMELIA_CHECKS_BUCKET: { Ref: bucketId },
        AMELIA_SANDBOX: "codebuild",
      });
    }
  });

  it("are recorded by recordChecks, sized as a step", () => {
    const [, fn] = resources("AWS::Lambda::Function", ["Workflow"]).find(([id]) =>
      id.startsWith("RecordChecks"),
    )!;
    expect(fn.Properties).toMatchObject({ MemorySize: 256, Timeout: 30 });
  });
});

describe("cdk-nag", () => {
  it("finds nothing left in any stack: every remaining finding is suppressed with its reason", () => {
    for (const stack of Object.values(STACKS)) expect(nagFindings(stack), stack.name).toEqual([]);
  });

  it("suppresses wildcards one by one (appliesTo), never an IAM5 finding whole", () => {
    const suppressions = Object.values(STACKS).flatMap((stack) =>
      Object.values(templates[stack.name]!.toJSON().Resources as Record<string, object>).flatMap(
        (resource) =>
          (
            resource as {
              Metadata?: {
                cdk_nag?: { rules_to_suppress: { id: string; applies_to?: unknown[] }[] };
              };
            }
          ).Metadata?.cdk_nag?.rules_to_suppress ?? [],
      ),
    );
    const wildcards = suppressions.filter((s) => s.id === "AwsSolutions-IAM5");
    expect(wildcards.length).toBeGreaterThan(0);
    for (const suppression of wildcards) expect(suppression.applies_to?.length).toBeGreaterThan(0);
  });
});

describe("logs", () => {
  it("gives each of our functions its own log group, kept 30 days, and write access to it alone", () => {
    for (const stack of Object.keys(STACKS)) {
      const logGroups = Object.fromEntries(resources("AWS::Logs::LogGroup", [stack]));
      const roles = Object.fromEntries(resources("AWS::IAM::Role", [stack]));
      const policies = resources("AWS::IAM::Policy", [stack]);
      for (const [id, fn] of resources("AWS::Lambda::Function", [stack])) {
        if (/^Custom/.test(id)) continue;
        const logGroupId = target((fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
        expect(logGroups[logGroupId!]?.Properties.RetentionInDays, id).toBe(30);
        const roleId = target(fn.Properties.Role)!;
        expect(roles[roleId]!.Properties.ManagedPolicyArns ?? [], id).toEqual([]);
        const logStatements = policies
          .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => target(r) === roleId))
          .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
          .filter((statement) => actionsOf(statement).some((a) => a.startsWith("logs:")));
        expect(logStatements, id).toHaveLength(1);
        expect(actionsOf(logStatements[0]!).sort()).toEqual([
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ]);
        expect(target(logStatements[0]!.Resource), id).toBe(logGroupId);
      }
    }
  });

  it("keeps the state machine's logs, the checks' build logs and the WebSocket access logs 30 days", () => {
    const [[, machine]] = resources("AWS::StepFunctions::StateMachine", ["Workflow"]) as [
      [string, Resource],
    ];
    const machineLogs = (
      machine.Properties.LoggingConfiguration as {
        Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[];
      }
    ).Destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn;
    const [[, stage]] = resources("AWS::ApiGatewayV2::Stage", ["Events"]) as [[string, Resource]];
    const accessLogs = (stage.Properties.AccessLogSettings as { DestinationArn: unknown })
      .DestinationArn;
    const [, project] = onlyWorkflowResource("AWS::CodeBuild::Project");
    const buildLogs = (project.Properties.LogsConfig as { CloudWatchLogs: { GroupName: unknown } })
      .CloudWatchLogs.GroupName;
    const groups = Object.fromEntries(resources("AWS::Logs::LogGroup", ["Workflow", "Events"]));
    for (const reference of [machineLogs, accessLogs, buildLogs]) {
      expect(groups[target(reference)!]?.Properties.RetentionInDays).toBe(30);
    }
  });
});

describe("alarms", () => {
  const alarms = () => resources("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);

  it("fires on any message in a dead-letter queue; the queues refuse requests without TLS", () => {
    const queues = resources("AWS::SQS::Queue", ["Events"]).map(([id]) => id);
    expect(queues.sort()).toEqual([
      expect.stringMatching(/^DeadLetters/),
      expect.stringMatching(/^FailedBroadcasts/),
      expect.stringMatching(/^FailedStatusReports/),
    ]);
    for (const queue of queues) {
      const alarm = alarms().find(
        (a) => target((a.Dimensions as { Value: unknown }[] | undefined)?.[0]?.Value) === queue,
      );
      expect(alarm, queue).toMatchObject({
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
      });
      const policies = resources("AWS::SQS::QueuePolicy", ["Events"]).filter(([, p]) =>
        (p.Properties.Queues as unknown[]).some((q) => target(q) === queue),
      );
      const statements = policies.flatMap(
        ([, p]) =>
          (p.Properties.PolicyDocument as { Statement: (Statement & { Condition?: unknown })[] })
            .Statement,
      );
      expect(statements, queue).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      );
    }
  });

  it("notify no one unless a topic is configured (AMELIA_ALARM_TOPIC_ARN)", () => {
    expect(alarms()).toHaveLength(4);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toBeUndefined();
  });

  it("fires on any failed execution of the state machine", () => {
    const [[machineId]] = resources("AWS::StepFunctions::StateMachine", ["Workflow"]) as [
      [string, Resource],
    ];
    const alarm = alarms().find((a) => a.MetricName === "ExecutionsFailed");
    expect(alarm).toMatchObject({
      Namespace: "AWS/States",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(target((alarm!.Dimensions as { Value: unknown }[])[0]!.Value)).toBe(machineId);
  });
});

describe("the event functions' asynchronous invocations", () => {
  it("go to each function's own alarmed queue after Lambda's two retries", () => {
    const configs = resources("AWS::Lambda::EventInvokeConfig", ["Events"]).map(
      ([, c]) => c.Properties,
    );
    const queueOf = Object.fromEntries(
      configs.map((config) => {
        expect(config.MaximumRetryAttempts).toBe(2);
        expect(config.MaximumEventAgeInSeconds).toBe(7200);
        const destination = (config.DestinationConfig as { OnFailure: { Destination: unknown } })
          .OnFailure.Destination;
        return [
          target(config.FunctionName)!.replace(/[0-9A-F]{8}$/, ""),
          target(destination)!.replace(/[0-9A-F]{8}$/, ""),
        ];
      }),
    );
    expect(Object.keys(queueOf).sort()).toEqual(Object.keys(EVENT_FUNCTIONS).map(logicalId).sort());
    expect(queueOf).toEqual({
      Broadcaster: "FailedBroadcasts",
      GithubStatus: "FailedStatusReports",
    });
    for (const [fn, queue] of Object.entries(queueOf)) {
      expect(holders("sqs:SendMessage", new RegExp(`^<${queue}\\.Arn>$`)), queue).toEqual([fn]);
    }
  });
});

describe("the deployed site", () => {
  it("sends the CSP and the security headers on every response", () => {
    const [[policyId, policy]] = resources("AWS::CloudFront::ResponseHeadersPolicy", ["Web"]) as [
      [string, Resource],
    ];
    const headers = (
      policy.Properties.ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, Record<string, unknown>>;
      }
    ).SecurityHeadersConfig;
    // The policy with CloudFormation's references shown as <Export or Ref name>.
    const [, parts] = (
      headers.ContentSecurityPolicy!.ContentSecurityPolicy as { "Fn::Join": [string, unknown[]] }
    )["Fn::Join"];
    const csp = parts
      .map((part) => (typeof part === "string" ? part : `<${Object.values(part as object)[0]}>`))
      .join("");
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "img-src 'self' data:",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain("unsafe-inline");
    // connect-src names the deployed API and WebSocket (tokens resolved by CloudFormation).
    expect(csp).toMatch(
      /connect-src 'self' <[^>]*ApiEndpoint[^>]*> wss:\/\/<[^>]*WebSocket[^>]*>\.execute-api\./,
    );
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63072000,
      IncludeSubdomains: true,
    });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
    expect(headers.FrameOptions).toMatchObject({ FrameOption: "DENY" });
    expect(headers.ReferrerPolicy).toMatchObject({ ReferrerPolicy: "no-referrer" });
    const [[, distribution]] = resources("AWS::CloudFront::Distribution", ["Web"]) as [
      [string, Resource],
    ];
    const behavior = (
      distribution.Properties.DistributionConfig as {
        DefaultCacheBehavior: { ResponseHeadersPolicyId: unknown };
      }
    ).DefaultCacheBehavior;
    expect(target(behavior.ResponseHeadersPolicyId)).toBe(policyId);
  });

  it("lets the page connect to the API and the WebSocket only", () => {
    expect(contentSecurityPolicy("https://api.test", "wss://ws.test/prod")).toContain(
      "connect-src 'self' https://api.test wss://ws.test/prod;",
    );
  });
});
