import { branchNameFor } from "../../src/workflow/branchName";
import type { LifecycleOptions } from "../../src/workflow/WorkflowLifecycle";
import { createWorkflowDomain } from "../../src/workflow/workflowDomain";
import { FakeExecutions } from "./FakeExecutions";
import { MemoryEventLog } from "./MemoryEventLog";
import { MemoryEventSink } from "./MemoryEventSink";
import { MemoryWorkflowStore } from "./MemoryWorkflowStore";

/** A clock the test moves: epoch ms. */
export class TestClock {
  constructor(public now = Date.UTC(2026, 0, 1)) {}
  readonly read = () => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/**
 * The workflow's domain wired as services.ts wires it, on in-memory fakes the test can look
 * into and inject faults into.
 */
export function memoryDomain(
  options: Partial<LifecycleOptions> & { maxActiveWorkflows?: number } = {},
) {
  const clock = new TestClock();
  const log = new MemoryEventLog(clock.read);
  const store = new MemoryWorkflowStore();
  const executions = new FakeExecutions();
  const publisher = new MemoryEventSink();
  const domain = createWorkflowDomain(
    { log, store, executions, publisher },
    {
      maxActiveWorkflows: 5,
      clock: clock.read,
      model: async () => "amelia-demo",
      resolveRepository: async (repository) => repository,
      branchNameFor,
      ...options,
    },
  );
  return { ...domain, clock, log, store, executions, publisher };
}

type MemoryDomain = ReturnType<typeof memoryDomain>;

/** Creates a workflow and takes it to a gate, as the architect and the gate task would. */
export async function createAtGate(
  domain: MemoryDomain,
  gate: "plan" | "review" = "plan",
  taskToken = "token-1",
  issueId = "ISSUE-1",
) {
  const { id } = await domain.workflows.create({ issueId, title: "Add login" });
  await domain.workflows.record(id, {
    type: "plan_created",
    agent: "architect",
    level: "info",
    message: "Plan ready",
    data: { plan: "# Plan", round: 1 },
  });
  return domain.gates.open(id, gate, taskToken);
}
