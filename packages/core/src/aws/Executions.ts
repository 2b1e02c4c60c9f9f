import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import {
  executionArnFor,
  type ExecutionInput,
  type GateDecision,
} from "../definitions/stateMachine";
import { requireSetting } from "../config";

/**
 * The workflow's Step Functions execution: start, stop, and answer a gate. The state machine's
 * own tasks never call it, so they run without its ARN (which would be a circular reference).
 */
export class Executions {
  constructor(
    private readonly client: SFNClient,
    private readonly configuredArn: string | undefined,
  ) {}

  private get stateMachineArn(): string {
    return requireSetting(this.configuredArn, "AMELIA_STATE_MACHINE_ARN");
  }

  arnFor(workflowId: string): string {
    return executionArnFor(this.stateMachineArn, workflowId);
  }

  async start(workflowId: string): Promise<void> {
    const input: ExecutionInput = { workflowId };
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: workflowId,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // A retried start of the same workflow: the execution already runs.
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async stop(workflowId: string, cause: string): Promise<void> {
    try {
      await this.client.send(
        new StopExecutionCommand({ executionArn: this.arnFor(workflowId), cause }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }

  async decide(taskToken: string, decision: GateDecision): Promise<void> {
    await this.client.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(decision) }),
    );
  }
}
