import { Admission, type AdmissionOptions } from "./Admission";
import type {
  ClaimStore,
  EventLog,
  EventSink,
  GateStore,
  ProjectionStore,
  WorkflowExecutions,
} from "./dependencies";
import { GateDecisions } from "./GateDecisions";
import { WorkflowCommands, type CommandDependencies } from "./WorkflowCommands";
import { WorkflowLifecycle, type LifecycleOptions } from "./WorkflowLifecycle";
import { WorkflowRecorder } from "./WorkflowRecorder";

export interface WorkflowDomainDependencies {
  log: EventLog;
  store: ProjectionStore & GateStore & ClaimStore;
  executions: WorkflowExecutions;
  publisher: EventSink;
}

/** The commands handlers call: a workflow's lifecycle, and the decisions at its gates. */
export interface WorkflowDomain {
  workflows: WorkflowLifecycle;
  gates: GateDecisions;
}

/** The same, without creating or completing a workflow: no repository host, no model. */
export interface CommandDomain {
  workflows: WorkflowCommands;
  gates: GateDecisions;
}

/** Wires the workflow's parts to one log, one store, its executions and a publisher. */
export function createWorkflowDomain(
  dependencies: WorkflowDomainDependencies,
  options: LifecycleOptions & AdmissionOptions,
): WorkflowDomain {
  return wire(dependencies, options, (deps) => new WorkflowLifecycle(deps, options));
}

/** Wires the commands on existing workflows as `createWorkflowDomain` wires the lifecycle. */
export function createCommandDomain(
  dependencies: WorkflowDomainDependencies,
  options: AdmissionOptions,
): CommandDomain {
  return wire(dependencies, options, (deps) => new WorkflowCommands(deps));
}

function wire<W extends WorkflowCommands>(
  { log, store, executions, publisher }: WorkflowDomainDependencies,
  options: AdmissionOptions,
  lifecycle: (deps: CommandDependencies) => W,
): { workflows: W; gates: GateDecisions } {
  const admission = new Admission(store, store, options);
  const recorder = new WorkflowRecorder(log, store, admission, publisher);
  const workflows = lifecycle({
    recorder,
    log,
    projections: store,
    gates: store,
    executions,
    admission,
  });
  const gates = new GateDecisions({ recorder, gates: store, executions, lifecycle: workflows });
  return { workflows, gates };
}
