import type { App } from "aws-cdk-lib";
import { NagSuppressions, type NagPackSuppression } from "cdk-nag";
import type { IConstruct } from "constructs";

/**
 * Accepts cdk-nag `findings` on `construct` and the resources inside it (a function and its
 * role), each with its reason, next to the resource it concerns. The stacks tests run the
 * AwsSolutions rules and fail on any finding not accepted.
 */
export function accept(construct: IConstruct, findings: NagPackSuppression[]): void {
  NagSuppressions.addResourceSuppressions(construct, findings, true);
}

/** A wildcard resource of an IAM5 finding, by pattern: `Resource::<pattern>`. */
export function wildcardResource(pattern: string): { regex: string } {
  return { regex: `/^Resource::${pattern}$/` };
}

/**
 * SST puts a custom-resource handler of its own in every stack (stack metadata, the site upload):
 * its runtime and its role are SST's, not this app's.
 */
export function acceptSstInternals(app: App): void {
  for (const stack of app.node.children) {
    const handler = stack.node.tryFindChild("CustomResourceHandler");
    if (!handler) continue;
    const reason = "SST's own custom-resource handler: its runtime and role are set by SST v2";
    accept(handler, [
      { id: "AwsSolutions-L1", reason },
      { id: "AwsSolutions-IAM4", reason },
    ]);
  }
}
