import { SFNServiceException } from "@aws-sdk/client-sfn";
import { errorMessage, InvalidStateError } from "../errors";
import type { NewEvent } from "../events/types";
import type { GateStore, OpenGate, WorkflowExecutions } from "./dependencies";
import type { Gate } from "./status";
import type { Workflow } from "./Workflow";
import type { WorkflowLifecycle } from "./WorkflowLifecycle";
import type { WorkflowRecorder } from "./WorkflowRecorder";

export interface GateDependencies {
  recorder: WorkflowRecorder;
  gates: GateStore;
  executions: Pick<WorkflowExecutions, "decide">;
  lifecycle: Pick<WorkflowLifecycle, "fail">;
}

/** Token errors mean the execution no longer waits for this token. */
const GONE_TOKEN_ERRORS = new Set(["TaskDoesNotExist", "InvalidToken", "TaskTimedOut"]);

type Decision = { approved: true } | { approved: false; feedback: string };

/**
 * The gates where a person decides: the gate task opens one with its task token (kept
 * server-side), and approve or reject hands the decision to the waiting execution. A decision
 * the execution did not take is said in the log, and the gate opens again.
 */
export class GateDecisions {
  constructor(private readonly deps: GateDependencies) {}

  /** Called by the gate task: keeps the token server-side and tells the person. */
  async open(id: string, gate: Gate, taskToken: string): Promise<Workflow> {
    const workflow = await this.deps.recorder.get(id);
    await this.deps.gates.putGate(id, { gate, taskToken });
    const recorded = await this.deps.recorder.record(id, approvalRequired(workflow, gate));
    return recorded.workflow;
  }

  approve(id: string): Promise<Workflow> {
    return this.decide(id, { approved: true });
  }

  reject(id: string, feedback: string): Promise<Workflow> {
    return this.decide(id, { approved: false, feedback });
  }

  private async decide(id: string, decision: Decision): Promise<Workflow> {
    const workflow = await this.deps.recorder.get(id);
    if (workflow.status !== "blocked") {
      throw new InvalidStateError(`Workflow ${id} is ${workflow.status}, not waiting at a gate`, {
        status: workflow.status,
      });
    }
    const gate = await this.deps.gates.takeGate(id);
    if (!gate) {
      throw new InvalidStateError(`The gate of workflow ${id} was already decided`, {
        status: workflow.status,
      });
    }
    const recorded = await this.deps.recorder.record(id, decisionEvent(gate.gate, decision));
    try {
      await this.deps.executions.decide(gate.taskToken, { approved: decision.approved });
    } catch (error) {
      await this.undeliveredDecision(id, gate, error);
      throw error;
    }
    return recorded.workflow;
  }

  /** The decision is in the log but the execution did not take it: say so, and re-open the gate. */
  private async undeliveredDecision(id: string, gate: OpenGate, error: unknown): Promise<void> {
    const tokenGone = error instanceof SFNServiceException && GONE_TOKEN_ERRORS.has(error.name);
    if (tokenGone) {
      await this.deps.lifecycle.fail(
        id,
        `The execution stopped waiting at the ${gate.gate} gate (${error.name})`,
      );
      return;
    }
    await this.deps.recorder.record(id, {
      type: "system_error",
      agent: "system",
      level: "error",
      message: `The decision could not be delivered; the ${gate.gate} gate is open again`,
      data: { error: errorMessage(error) },
    });
    await this.deps.gates.putGate(id, gate);
    await this.deps.recorder.record(
      id,
      approvalRequired(await this.deps.recorder.get(id), gate.gate),
    );
  }
}

function decisionEvent(gate: Gate, decision: Decision): NewEvent {
  const name = gate === "plan" ? "Plan" : "Review";
  return decision.approved
    ? {
        type: "approval_granted",
        agent: "human",
        level: "info",
        message: `${name} approved`,
        data: { gate },
      }
    : {
        type: "approval_rejected",
        agent: "human",
        level: "warning",
        message: `${name} rejected: ${decision.feedback}`,
        data: { gate, feedback: decision.feedback },
      };
}

function approvalRequired(workflow: Workflow, gate: Gate): NewEvent<"approval_required"> {
  return {
    type: "approval_required",
    agent: "system",
    level: "info",
    message:
      gate === "plan"
        ? "The plan is ready: approve it, or reject it with feedback"
        : "The review loop reached its cap: accept the work, or reject it with feedback",
    data:
      gate === "plan"
        ? { gate, ...(workflow.plan !== undefined && { plan: workflow.plan }) }
        : { gate, ...(workflow.review && { review: workflow.review }) },
  };
}
