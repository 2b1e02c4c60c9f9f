import { CodeBuildClient } from "@aws-sdk/client-codebuild";
import { S3Client } from "@aws-sdk/client-s3";
import { CheckBuilds } from "./aws/CheckBuilds";
import type { VerifyDependencies } from "./checks/verifyStage";
import { requireSetting } from "./config";
import { stores } from "./storeServices";
import { workspaces } from "./workspaceServices";

let cached: VerifyDependencies | undefined;

/**
 * What the verify step and the agents' check tools need: apart from services(), so that only
 * the functions that run checks bundle the S3 and CodeBuild clients.
 */
export function verification(): VerifyDependencies {
  if (cached) return cached;
  const { config, checkLogs } = stores();
  cached = {
    workspaces: workspaces(),
    // Path-style addressing where S3 is an endpoint of our own (the local runtime, LocalStack).
    builds: new CheckBuilds(
      new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
      new CodeBuildClient({}),
      {
        checksProject: requireSetting(config.checks.project, "AMELIA_CHECKS_PROJECT"),
        checksBucket: requireSetting(config.checks.bucket, "AMELIA_CHECKS_BUCKET"),
      },
    ),
    checkLogs,
    maxSandboxRuns: config.checks.maxSandboxRuns,
    options: {
      maxCheckRounds: config.checks.maxRounds,
      sandbox: config.checks.sandbox,
    },
  };
  return cached;
}
