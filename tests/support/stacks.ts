import { Aspects } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { App, getStack } from "sst/constructs";
import { initProject } from "sst/project.js";
import config from "../../sst.config";

type StackFunction = Parameters<typeof getStack>[0];

/**
 * Synthesises the app for `stage` offline (no STS call; SST leaves function bundles as
 * placeholders in test mode) and returns the template of any of its stacks. With `nag`, cdk-nag's
 * AwsSolutions rules run over every resource (read what they find with `nagFindings`).
 */
export async function synthesise(
  stage: string,
  { nag = false } = {},
): Promise<(stack: StackFunction) => Template> {
  await initProject({ stage });
  const app = new App({ mode: "deploy", stage, name: "amelia", region: "us-east-1" });
  if (nag) Aspects.of(app).add(new AwsSolutionsChecks());
  config.stacks(app);
  return (stack) => Template.fromStack(getStack(stack));
}

/**
 * The AwsSolutions findings (errors and warnings) left unsuppressed in `stack`, as
 * `<path>: <rule and message>`.
 */
export function nagFindings(stack: StackFunction): string[] {
  const annotations = Annotations.fromStack(getStack(stack));
  const rule = Match.stringLikeRegexp("^AwsSolutions-");
  return [...annotations.findError("*", rule), ...annotations.findWarning("*", rule)].map(
    (finding) => `${finding.id}: ${String(finding.entry.data).split("\n")[0]}`,
  );
}
