import { AwsServiceError } from "../protocol/AwsServiceError";

export interface StateMachineArnParts {
  region: string;
  account: string;
  name: string;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)$/;

export function parseStateMachineArn(arn: string): StateMachineArnParts {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) throw new Error(`Not a state machine ARN: ${arn}`);
  const [, region = "", account = "", name = ""] = match;
  return { region, account, name };
}

// Step Functions refuses whitespace, brackets, wildcards, these punctuation marks and control characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

/** Throws InvalidName for an execution name AWS would refuse. */
export function checkExecutionName(name: string): void {
  if (name.length < 1 || name.length > 80 || FORBIDDEN_NAME_CHARACTERS.test(name)) {
    throw new AwsServiceError("InvalidName", `Invalid Name: '${name}'`);
  }
}
