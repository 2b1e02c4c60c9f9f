import type { FirstStage, GateDecision } from "../../src/definitions/stateMachine";
import type { StoppedExecution, WorkflowExecutions } from "../../src/workflow/dependencies";
import { Faults } from "./Faults";

type Method = "start" | "stop" | "whenStopped" | "redrive" | "decide";

/** The state machine's executions as calls to look at, with faults to inject per call. */
export class FakeExecutions implements WorkflowExecutions {
  readonly calls: {
    method: Method;
    workflowId?: string;
    taskToken?: string;
    firstStage?: FirstStage;
  }[] = [];
  readonly decisions: { taskToken: string; decision: GateDecision }[] = [];
  /** What `whenStopped` reports. */
  stopped: StoppedExecution = { status: "FAILED", redrivable: true };
  readonly faults = new Faults<Method>();

  arnFor(workflowId: string): string {
    return `arn:aws:states:us-east-1:000000000000:execution:amelia:${workflowId}`;
  }

  async start(workflowId: string, firstStage?: FirstStage): Promise<void> {
    this.call("start", { workflowId, ...(firstStage && { firstStage }) });
  }

  async stop(workflowId: string): Promise<void> {
    this.call("stop", { workflowId });
  }

  async whenStopped(workflowId: string): Promise<StoppedExecution> {
    this.call("whenStopped", { workflowId });
    return { ...this.stopped };
  }

  async redrive(workflowId: string): Promise<void> {
    this.call("redrive", { workflowId });
  }

  async decide(taskToken: string, decision: GateDecision): Promise<void> {
    this.call("decide", { taskToken });
    this.decisions.push({ taskToken, decision });
  }

  callsOf(method: Method) {
    return this.calls.filter((call) => call.method === method);
  }

  private call(method: Method, args: Omit<FakeExecutions["calls"][number], "method">): void {
    this.calls.push({ method, ...args });
    this.faults.check(method);
  }
}
