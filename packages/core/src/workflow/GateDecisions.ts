import { SFNServiceException } from "@aws-sdk/client-sfn";
import { errorMessage, invalidField, InvalidStateError } from "../errors";
import { API_ACTOR, type Actor, type NewEvent } from "../events/types";
import type { GateStore, OpenGate, WorkflowExecutions } from "./dependencies";
import { logger } from "../logger";
import { GATE_STAGE, isTerminal, type Gate } from "./status";
import type { Workflow } from "./Workflow";
import type { WorkflowCommands } from "./WorkflowCommands";
import type { WorkflowRecorder } from "./WorkflowRecorder";

export interface GateDependencies {
  recorder: WorkflowRecorder;
  gates: GateStore;
  executions: Pick<WorkflowExecutions, "decide">;
  lifecycle: Pick<WorkflowCommands, "fail">;
}

/** Token errors mean the execution no longer waits for this token. */
const GONE_TOKEN_ERRORS = new Set(["TaskDoesNotExist", "InvalidToken", "TaskTimedOut"]);

/** How much of the feedback the event's message quotes; its data holds the feedback whole. */
const FEEDBACK_QUOTED_CHARACTERS = 1_000;

type Decision = { by: Actor } & ({ approved: true } | { approved: false; feedback: string });

/**
 * The gates where a person decides: the gate task opens one with its task token (kept
 * server-side), and approve or reject hands the decision to the waiting execution. No decision
 * is lost: everything that can refuse one is checked before its token is taken, and when
 * anything fails after that, the gate is open again for the same request to be retried.
 */
export class GateDecisions {
  constructor(private readonly deps: GateDependencies) {}

  /**
   * Called by the gate task: keeps the token server-side and tells the person. The task may run
   * again for the same gate (a retry, a duplicate delivery, a restart): the gate then stays
   * open with the newest token, and the log says it was re-opened. What it records depends on
   * the log, so the workflow is caught up with it first: a run that stopped after appending its
   * approval_required may not have stored the workflow that event made.
   */
  async open(id: string, gate: Gate, taskToken: string): Promise<Workflow> {
    const workflow = await this.deps.recorder.catchUp(id);
    await this.deps.gates.putGate(id, { gate, taskToken });
    const event =
      workflow.status === "blocked" && workflow.gate === gate
        ? reopenedNote(gate)
        : approvalRequired(workflow, gate);
    return (await this.deps.recorder.record(id, event)).workflow;
  }

  approve(id: string, by: Actor = API_ACTOR): Promise<Workflow> {
    return this.decide(id, { approved: true, by });
  }

  reject(id: string, feedback: string, by: Actor = API_ACTOR): Promise<Workflow> {
    return this.decide(id, { approved: false, feedback, by });
  }

  /**
   * Raises the workflow's budget. At the budget gate, the stage that stopped then continues; at
   * any other time the new budget holds from the next model call.
   */
  async raiseBudget(id: string, budgetUsd: number, by: Actor = API_ACTOR): Promise<Workflow> {
    const workflow = await this.deps.recorder.get(id);
    const spent = workflow.usage.costUsd;
    if (budgetUsd <= spent) {
      throw invalidField("budgetUsd", `must be more than the $${spent.toFixed(4)} already spent`);
    }
    const raised = await this.deps.recorder.record(id, {
      type: "budget_raised",
      agent: "human",
      level: "info",
      message: `Budget raised to $${budgetUsd}${byline(by)}`,
      data: {
        budgetUsd,
        ...(workflow.budgetUsd !== undefined && { previousUsd: workflow.budgetUsd }),
        by,
      },
    });
    if (raised.workflow.status !== "blocked" || raised.workflow.gate !== "budget") {
      return raised.workflow;
    }
    return this.decide(id, { approved: true, by }, "budget");
  }

  private async decide(
    id: string,
    decision: Decision,
    expected: "budget" | "decision" = "decision",
  ): Promise<Workflow> {
    const workflow = await this.deps.recorder.get(id);
    if (workflow.status !== "blocked" || workflow.gate === undefined) {
      throw new InvalidStateError(`Workflow ${id} is ${workflow.status}, not waiting at a gate`, {
        status: workflow.status,
      });
    }
    // The budget gate opens only to more budget (or a cancel); the other gates to a decision.
    if ((workflow.gate === "budget") !== (expected === "budget")) {
      throw new InvalidStateError(
        workflow.gate === "budget"
          ? `Workflow ${id} waits for more budget: raise it (POST /api/workflows/${id}/budget) or cancel it`
          : `Workflow ${id} waits at the ${workflow.gate} gate, not for budget`,
        { status: workflow.status, gate: workflow.gate },
      );
    }
    this.deps.recorder.check(workflow, decisionEvent(workflow.gate, decision));
    const gate = await this.deps.gates.takeGate(id);
    if (!gate) {
      throw new InvalidStateError(`The gate of workflow ${id} was already decided`, {
        status: workflow.status,
      });
    }
    try {
      const recorded = await this.deps.recorder.record(id, decisionEvent(gate.gate, decision));
      await this.deps.executions.decide(gate.taskToken, { approved: decision.approved });
      return recorded.workflow;
    } catch (error) {
      await this.reopen(id, gate, error).catch((reopenError: unknown) =>
        logger.error("Re-opening the gate failed", { workflowId: id, error, reopenError }),
      );
      throw error;
    }
  }

  /**
   * Something failed after the token was taken. If the execution no longer waits for it, the
   * workflow fails; otherwise the gate opens again, and if the decision already reached the log
   * (but not the execution), the log says so and asks for the decision again.
   */
  private async reopen(id: string, gate: OpenGate, error: unknown): Promise<void> {
    if (error instanceof SFNServiceException && GONE_TOKEN_ERRORS.has(error.name)) {
      await this.deps.lifecycle.fail(
        id,
        `The execution stopped waiting at the ${gate.gate} gate (${error.name})`,
      );
      return;
    }
    await this.deps.gates.putGate(id, gate);
    const workflow = await this.deps.recorder.catchUp(id);
    if (isTerminal(workflow.status)) {
      // Cancelled meanwhile: nothing waits at the gate any more.
      await this.deps.gates.takeGate(id);
      return;
    }
    if (workflow.status === "blocked") return; // the decision never reached the log
    await this.deps.recorder.record(id, {
      type: "system_error",
      agent: "system",
      level: "error",
      message: `The decision could not be delivered; the ${gate.gate} gate is open again`,
      data: { error: errorMessage(error) },
    });
    await this.deps.recorder.record(id, approvalRequired(workflow, gate.gate));
  }
}

const GATE_NAMES: Record<Gate, string> = { plan: "Plan", review: "Review", budget: "Budget" };

function decisionEvent(gate: Gate, decision: Decision): NewEvent {
  const name = GATE_NAMES[gate];
  return decision.approved
    ? {
        type: "approval_granted",
        agent: "human",
        level: "info",
        message: `${name} approved${byline(decision.by)}`,
        data: { gate, by: decision.by },
      }
    : {
        type: "approval_rejected",
        agent: "human",
        level: "warning",
        message: `${name} rejected${byline(decision.by)}: ${quote(decision.feedback, FEEDBACK_QUOTED_CHARACTERS)}`,
        data: { gate, feedback: decision.feedback, by: decision.by },
      };
}

/**
 * Asks the person to decide. A workflow already at this gate's stage asks again (its decision
 * did not reach the execution), and says so.
 */
function approvalRequired(workflow: Workflow, gate: Gate): NewEvent<"approval_required"> {
  const stage = GATE_STAGE[gate];
  const reopened = stage !== undefined && workflow.stage === stage;
  return {
    type: "approval_required",
    agent: "system",
    level: "info",
    message: approvalMessage(workflow, gate),
    data: {
      gate,
      ...(gate === "plan" && workflow.plan !== undefined && { plan: workflow.plan }),
      ...(gate === "review" && workflow.review && { review: workflow.review }),
      ...(gate === "budget" && {
        spentUsd: workflow.usage.costUsd,
        ...(workflow.budgetUsd !== undefined && { budgetUsd: workflow.budgetUsd }),
      }),
      ...(reopened && { reopened }),
    },
  };
}

function approvalMessage(workflow: Workflow, gate: Gate): string {
  switch (gate) {
    case "plan":
      return "The plan is ready: approve it, or reject it with feedback";
    case "review":
      return "The review loop reached its cap: accept the work, or reject it with feedback";
    case "budget":
      return (
        `The ${workflow.stage} stopped before a model call that could pass the budget of ` +
        `$${workflow.budgetUsd ?? 0} ($${workflow.usage.costUsd.toFixed(4)} spent): raise the budget, or cancel`
      );
  }
}

/** The gate task ran again while its gate is open: nothing changes for the person. */
function reopenedNote(gate: Gate): NewEvent<"agent_message"> {
  return {
    type: "agent_message",
    agent: "system",
    level: "info",
    message: `The ${gate} gate was opened again (its task ran again after a retry or a restart); it still waits for the same decision`,
    data: { gate, reopened: true },
  };
}

/** " by @login on GitHub" for a GitHub user; nothing for the API, whose callers share a token. */
export function byline(by: Actor | undefined): string {
  return by?.source === "github" ? ` by @${by.login} on GitHub` : "";
}

/** The text cut to at most `max` characters (never inside one), marked when cut. */
function quote(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max).join("")}…`;
}
