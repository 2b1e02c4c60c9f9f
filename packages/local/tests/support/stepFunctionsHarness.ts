import { AwsJsonServer } from "../../src/aws/protocol/AwsJsonServer";
import {
  StepFunctionsEmulator,
  type StepFunctionsEmulatorOptions,
} from "../../src/aws/stepfunctions/StepFunctionsEmulator";
import { eventually } from "./eventually";
import { clientConfig, sfn, TEST_CREDENTIALS } from "./sdk";

export const STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:test";

export type FakeFunction = (payload: Record<string, unknown>) => unknown;
export interface FunctionCall {
  name: string;
  payload: Record<string, unknown>;
}

export type HarnessOptions = Omit<
  StepFunctionsEmulatorOptions,
  "invokeFunction" | "stateMachineArn"
> & {
  functions: Record<string, FakeFunction>;
};

/** An emulator behind a real server, a real SFNClient talking to it, and a log of function calls. */
export async function startStepFunctions(options: HarnessOptions) {
  const calls: FunctionCall[] = [];
  const emulator = new StepFunctionsEmulator({
    ...options,
    stateMachineArn: STATE_MACHINE_ARN,
    invokeFunction: async (name, payload) => {
      calls.push({ name, payload: payload as Record<string, unknown> });
      const fn = options.functions[name];
      if (!fn) throw new Error(`No fake function ${name}`);
      return fn(payload as Record<string, unknown>);
    },
  });
  await emulator.restore();
  const server = new AwsJsonServer({ services: [emulator], credentials: TEST_CREDENTIALS });
  const { endpoint } = await server.start();
  const client = new sfn.SFNClient(clientConfig(endpoint));

  const start = async (name: string, input: unknown) => {
    const command = new sfn.StartExecutionCommand({
      stateMachineArn: STATE_MACHINE_ARN,
      name,
      input: JSON.stringify(input),
    });
    const { executionArn } = await client.send(command);
    if (!executionArn) throw new Error("StartExecution returned no executionArn");
    return executionArn;
  };
  const describe = (executionArn: string) =>
    client.send(new sfn.DescribeExecutionCommand({ executionArn }));
  const untilStatus = (executionArn: string, status: string) =>
    eventually(async () => {
      const execution = await describe(executionArn);
      if (execution.status !== status)
        throw new Error(`status is ${execution.status}, not ${status}`);
      return execution;
    });
  /** The token the n-th call of `functionName` received as `taskToken` (0-based). */
  const tokenFor = (functionName: string, index = 0) =>
    eventually(() => {
      const call = calls.filter((c) => c.name === functionName)[index];
      if (typeof call?.payload.taskToken !== "string")
        throw new Error(`${functionName} not called yet`);
      return call.payload.taskToken;
    });
  const stop = async () => {
    client.destroy();
    await server.close();
    await emulator.close();
  };
  return {
    emulator,
    server,
    endpoint,
    client,
    calls,
    start,
    describe,
    untilStatus,
    tokenFor,
    stop,
  };
}

export type StepFunctionsHarness = Awaited<ReturnType<typeof startStepFunctions>>;
