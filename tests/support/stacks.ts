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

/** An IAM statement as a template holds it. */
export interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
export function target(reference: unknown): string | undefined {
  const value = reference as { Ref?: string; "Fn::GetAtt"?: [string, string] };
  return value.Ref ?? value["Fn::GetAtt"]?.[0];
}

/**
 * A value with CloudFormation's references written out: `<ChecksBucket.Arn>/sources/*` for a
 * join of `Fn::GetAtt` and text (logical ids without CDK's hash suffix), `<AWS::Partition>`.
 */
export function rendered(value: unknown): string {
  if (typeof value === "string") return value;
  const reference = value as {
    Ref?: string;
    "Fn::GetAtt"?: [string, string];
    "Fn::Join"?: [string, unknown[]];
  };
  const id = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, "");
  if (reference.Ref) return `<${id(reference.Ref)}>`;
  if (reference["Fn::GetAtt"]) {
    const [logicalId, attribute] = reference["Fn::GetAtt"];
    return `<${id(logicalId)}.${attribute}>`;
  }
  if (reference["Fn::Join"]) {
    const [separator, parts] = reference["Fn::Join"];
    return parts.map(rendered).join(separator);
  }
  return JSON.stringify(value);
}

/** Every statement of the policies attached to the role `roleId` in `template`. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources("AWS::IAM::Policy"))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((role) => target(role) === roleId),
    )
    .flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
}

/** Every statement of every IAM policy in `templates`, with the policy's logical id. */
export function policyStatements(templates: readonly Template[]): Array<[string, Statement]> {
  return templates.flatMap((template) =>
    Object.entries(template.findResources("AWS::IAM::Policy")).flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.map(
        (statement) => [id, statement] as [string, Statement],
      ),
    ),
  );
}

/** The actions of a statement, always as a list. */
export function actionsOf(statement: Statement): string[] {
  return [statement.Action].flat();
}

/**
 * Who in `templates` may take `action` on a resource that reads like `resource` (written out by
 * `rendered`): each policy by the function or role it belongs to (`Broadcaster`, `StateMachine`).
 */
export function holders(
  templates: readonly Template[],
  action: string,
  resource: RegExp,
): string[] {
  const owners = policyStatements(templates)
    .filter(([, s]) => actionsOf(s).includes(action) && resource.test(rendered(s.Resource)))
    .map(([id]) => id.replace(/(Service)?RoleDefaultPolicy[A-Za-z0-9]*$/, ""));
  return [...new Set(owners)].sort();
}

/** The environment variables of a function resource. */
export function environmentOf(fn: {
  Properties: Record<string, unknown>;
}): Record<string, unknown> {
  return (
    (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {}
  );
}
