import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from "@aws-sdk/client-sfn";
import {
  executionArnFor,
  type ExecutionInput,
  type FirstStage,
  type GateDecision,
} from "../definitions/stateMachine";
import { requireSetting } from "../config";
import type { StoppedExecution, WorkflowExecutions } from "../workflow/dependencies";

const STOP_POLL_MS = 100;

/**
 * The workflow's Step Functions execution: start, stop, answer a gate, redrive after a failure.
 * The state machine's own tasks never call it, so they run without its ARN (which would be a
 * circular reference).
 */
export class Executions implements WorkflowExecutions {
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

  async start(workflowId: string, firstStage?: FirstStage): Promise<void> {
    const input: ExecutionInput = { workflowId, ...(firstStage && { firstStage }) };
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

  /**
   * The execution once it has stopped. A failed stage records `workflow_failed` a moment before
   * its execution stops, so a RUNNING execution is polled for up to `waitMs`.
   */
  async whenStopped(workflowId: string, waitMs: number): Promise<StoppedExecution> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      let execution;
      try {
        execution = await this.client.send(
          new DescribeExecutionCommand({ executionArn: this.arnFor(workflowId) }),
        );
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) {
          return {
            status: "NONE",
            redrivable: false,
            reason: "the workflow's execution never started",
          };
        }
        throw error;
      }
      const status = execution.status ?? "UNKNOWN";
      if (status !== "RUNNING" || Date.now() >= deadline) {
        const redrivable = status !== "RUNNING" && execution.redriveStatus === "REDRIVABLE";
        return {
          status,
          redrivable,
          ...(!redrivable && {
            reason:
              status === "RUNNING"
                ? "its execution is still stopping; try again in a moment"
                : (execution.redriveStatusReason ?? `its execution is ${status}`),
          }),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
    }
  }

  /** Continues a stopped execution from the state that failed (RedriveExecution). */
  async redrive(workflowId: string): Promise<void> {
    await this.client.send(new RedriveExecutionCommand({ executionArn: this.arnFor(workflowId) }));
  }

  async decide(taskToken: string, decision: GateDecision): Promise<void> {
    await this.client.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(decision) }),
    );
  }
}
