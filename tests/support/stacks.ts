import { Template } from "aws-cdk-lib/assertions";
import { App, getStack } from "sst/constructs";
import { initProject } from "sst/project.js";
import config from "../../sst.config";

type StackFunction = Parameters<typeof getStack>[0];

/**
 * Synthesises the app for `stage` offline (no STS call; SST leaves function bundles as
 * placeholders in test mode) and returns the template of any of its stacks.
 */
export async function synthesise(stage: string): Promise<(stack: StackFunction) => Template> {
  await initProject({ stage });
  const app = new App({ mode: "deploy", stage, name: "amelia", region: "us-east-1" });
  config.stacks(app);
  return (stack) => Template.fromStack(getStack(stack));
}
