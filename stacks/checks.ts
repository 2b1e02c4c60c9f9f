import { Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import {
  BuildSpec,
  CfnProject,
  ComputeType,
  LinuxBuildImage,
  LinuxLambdaBuildImage,
  Project,
  type BuildEnvironment,
} from "aws-cdk-lib/aws-codebuild";
import {
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  SecurityGroup,
  SubnetType,
  Vpc,
} from "aws-cdk-lib/aws-ec2";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import type { Function } from "sst/constructs";
import { CHECKS_RESULTS_PATH, CHECKS_SOURCES_PATH } from "@amelia/core/definitions/stateMachine";
import { retainedLogGroup } from "./logs";
import { accept, wildcardResource } from "./nag";

/** Where CheckBuilds puts each run's source archive: `sources/<runId>.zip`. */

/** `<ChecksBucket.Arn>/sources/*` and `/results/*` in IAM5 findings. */
const CHECKS_OBJECTS = wildcardResource(`<ChecksBucket[A-Za-z0-9]*\\.Arn>/(sources|results)/\\*`);

/** What runs the checks' builds, chosen when deploying. */
export interface ChecksSettings {
  /** `lambda` (the default): starts in seconds, at most 15 minutes. `ec2`: slower to start, more room. */
  compute: "lambda" | "ec2";
  /** Builds in a VPC with no route out (EC2 compute only: Lambda compute runs in no VPC). */
  isolated: boolean;
}

/**
 * The checks' settings from the environment of the deploy: `AMELIA_CHECKS_COMPUTE=ec2` and
 * `AMELIA_CHECKS_VPC=isolated`. A value the stacks cannot deploy fails the deploy, naming it.
 */
export function checksSettings(env: NodeJS.ProcessEnv = process.env): ChecksSettings {
  const compute = env.AMELIA_CHECKS_COMPUTE?.trim() || "lambda";
  if (compute !== "lambda" && compute !== "ec2") {
    throw new Error(`AMELIA_CHECKS_COMPUTE must be "lambda" or "ec2", not "${compute}"`);
  }
  const vpc = env.AMELIA_CHECKS_VPC?.trim() || undefined;
  if (vpc !== undefined && vpc !== "isolated") {
    throw new Error(`AMELIA_CHECKS_VPC must be "isolated" or unset, not "${vpc}"`);
  }
  if (vpc === "isolated" && compute === "lambda") {
    throw new Error(
      "AMELIA_CHECKS_VPC=isolated needs AMELIA_CHECKS_COMPUTE=ec2: CodeBuild's Lambda compute runs in no VPC",
    );
  }
  return { compute, isolated: vpc === "isolated" };
}

/** Each compute's image and size, and the longest build it allows. */
const COMPUTE: Record<
  ChecksSettings["compute"],
  { environment: BuildEnvironment; maxBuildMinutes: number }
> = {
  // Amazon Linux 2023 with Node.js 22 and bash (the runner script needs both), 2 GB. Lambda
  // compute takes no build timeout of its own: 15 minutes is its ceiling.
  lambda: {
    environment: {
      buildImage: LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22,
      computeType: ComputeType.LAMBDA_2GB,
    },
    maxBuildMinutes: 15,
  },
  // 2 vCPUs, 3 GB, Ubuntu 22.04 with Node.js, as root: for repositories Lambda compute cannot check.
  ec2: {
    environment: { buildImage: LinuxBuildImage.STANDARD_7_0, computeType: ComputeType.SMALL },
    maxBuildMinutes: 60,
  },
};

/** What a function does with the checks' builds. */
export type ChecksAccess = "putSources" | "startBuilds" | "readResults";

/** The repository's checks in CodeBuild: where builds get their source and leave results. */
export interface Checks {
  /** Sources and results, each a day old at most. */
  bucket: Bucket;
  /** The project every build runs in. */
  project: Project;
}

/**
 * The checks' bucket and project and, when isolated, the VPC the builds run in. A production
 * stage keeps the bucket when removed, as it keeps the table (Storage).
 */
export function checksSandbox(stack: Stack, { production }: { production: boolean }): Checks {
  const settings = checksSettings();
  const bucket = new Bucket(stack, "ChecksBucket", {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    // A run's source and results are read by its build and by recordChecks, minutes later.
    lifecycleRules: [
      { expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: !production,
  });
  accept(bucket, [
    {
      id: "AwsSolutions-S1",
      reason:
        "No access logs: its objects live a day, and who ran which build is in CloudTrail and the event log",
    },
  ]);
  return { bucket, project: checksProject(stack, bucket, settings) };
}

/** The project, with a role that may read sources, write results and its logs, nothing else. */
function checksProject(stack: Stack, bucket: Bucket, settings: ChecksSettings): Project {
  // Only CodeBuild in this account may assume it (the confused-deputy guard).
  const role = new Role(stack, "ChecksBuildRole", {
    assumedBy: new ServicePrincipal("codebuild.amazonaws.com", {
      conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
    }),
    description: "The checks' builds: read their source, write their results and logs",
  });
  role.addToPolicy(
    new PolicyStatement({
      actions: ["s3:GetObject"],
      resources: [bucket.arnForObjects(`${CHECKS_SOURCES_PATH}/*`)],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ["s3:PutObject"],
      resources: [bucket.arnForObjects(`${CHECKS_RESULTS_PATH}/*`)],
    }),
  );
  // CodeBuild checks the bucket's owner and region before it reads a source or writes artifacts
  // (AWS's minimal service role lists these two): the bucket's metadata, none of its objects.
  role.addToPolicy(
    new PolicyStatement({
      actions: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
      resources: [bucket.bucketArn],
    }),
  );
  const logGroup = retainedLogGroup(stack, "ChecksBuildLogs");
  logGroup.grantWrite(role);
  accept(role, [
    {
      id: "AwsSolutions-IAM5",
      reason: "Run ids are made at run time: the builds read sources/* and write results/* only",
      appliesTo: [CHECKS_OBJECTS],
    },
  ]);

  const { environment, maxBuildMinutes } = COMPUTE[settings.compute];
  const project = new Project(stack, "ChecksProject", {
    description: "Runs a workflow's checks on a snapshot of its workspace",
    // The statements above are the role's only ones: CodeBuild's construct would add a log
    // group of its own (/aws/codebuild/…, with CreateLogGroup) and report groups.
    role: role.withoutPolicyUpdates(),
    environment,
    // Every build brings its source (the S3 archive), buildspec and artifacts as overrides;
    // one started without them fails rather than run anything.
    buildSpec: BuildSpec.fromObject({
      version: "0.2",
      phases: {
        build: {
          commands: ["echo 'No checks: builds take the buildspec as an override' >&2", "exit 1"],
        },
      },
    }),
    // Lambda compute refuses a timeout: 15 minutes is its own.
    ...(settings.compute === "ec2" && { timeout: Duration.minutes(maxBuildMinutes) }),
    logging: { cloudWatch: { logGroup } },
    grantReportGroupPermissions: false,
  });
  if (settings.isolated) {
    // On the resource: the construct's own VPC support would write a policy for its role.
    (project.node.defaultChild as CfnProject).vpcConfig = isolatedNetwork(stack, role);
  }
  // CodeBuild checks the role's permissions (the VPC's among them) when the project is created.
  project.node.addDependency(role);
  accept(project, [
    {
      id: "AwsSolutions-CB4",
      reason:
        "Results are encrypted with the AWS-managed S3 key: a customer key would cost a monthly fee per stage for output kept a day",
    },
  ]);
  return project;
}

/**
 * Isolated subnets (no internet or NAT gateway) and the two endpoints a build needs: S3 for its
 * source and results (a gateway endpoint, free) and CloudWatch Logs (an interface endpoint,
 * billed per hour and AZ). DNS still resolves public names: the Route 53 Resolver answers.
 */
function isolatedNetwork(stack: Stack, role: Role): CfnProject.VpcConfigProperty {
  const vpc = new Vpc(stack, "ChecksVpc", {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: "Builds", subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
  });
  vpc.addInterfaceEndpoint("Logs", { service: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS });
  accept(vpc, [
    {
      id: "AwsSolutions-VPC7",
      reason: "No flow logs: nothing in it has a route out, and each build's output is in its log",
    },
  ]);
  const securityGroup = new SecurityGroup(stack, "ChecksBuildSecurityGroup", {
    vpc,
    description: "Checks builds: nothing inbound",
  });
  const subnets = vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_ISOLATED });
  // What CodeBuild needs to put a build's network interface in the subnets.
  role.addToPolicy(
    new PolicyStatement({
      actions: [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ],
      resources: ["*"],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ["ec2:CreateNetworkInterfacePermission"],
      resources: [
        stack.formatArn({ service: "ec2", resource: "network-interface", resourceName: "*" }),
      ],
      conditions: {
        StringEquals: {
          "ec2:Subnet": subnets.subnetIds.map((id) =>
            stack.formatArn({ service: "ec2", resource: "subnet", resourceName: id }),
          ),
          "ec2:AuthorizedService": "codebuild.amazonaws.com",
        },
      },
    }),
  );
  accept(role, [
    {
      id: "AwsSolutions-IAM5",
      reason:
        "EC2's network-interface actions take no narrower resource; attaching one is held to the builds' subnets",
      appliesTo: ["Resource::*", wildcardResource(".*:network-interface/\\*")],
    },
  ]);
  return {
    vpcId: vpc.vpcId,
    subnets: subnets.subnetIds,
    securityGroupIds: [securityGroup.securityGroupId],
  };
}

/** The environment a function that uses the builds reads them from (packages/core config). */
export function checksEnvironment({ bucket, project }: Checks) {
  return {
    AMELIA_CHECKS_PROJECT: project.projectName,
    AMELIA_CHECKS_BUCKET: bucket.bucketName,
    AMELIA_SANDBOX: "codebuild",
  };
}

/** Lets `fn` do what `access` names with the builds, and nothing else. */
export function grantChecks(
  fn: Function,
  { bucket, project }: Checks,
  access: readonly ChecksAccess[],
) {
  const statements: Record<ChecksAccess, PolicyStatement[]> = {
    putSources: [
      new PolicyStatement({
        actions: ["s3:PutObject"],
        resources: [bucket.arnForObjects(`${CHECKS_SOURCES_PATH}/*`)],
      }),
    ],
    startBuilds: [
      new PolicyStatement({
        actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
        resources: [project.projectArn],
      }),
    ],
    readResults: [
      new PolicyStatement({
        actions: ["s3:GetObject"],
        resources: [bucket.arnForObjects(`${CHECKS_RESULTS_PATH}/*`)],
      }),
      // Without it S3 answers a read of results a build never left with AccessDenied, not NoSuchKey.
      new PolicyStatement({ actions: ["s3:ListBucket"], resources: [bucket.bucketArn] }),
    ],
  };
  fn.attachPermissions(access.flatMap((name) => statements[name]));
  accept(fn, [
    {
      id: "AwsSolutions-IAM5",
      reason: "Run ids are made at run time: sources/* and results/* of the checks bucket only",
      appliesTo: [CHECKS_OBJECTS],
    },
  ]);
}
