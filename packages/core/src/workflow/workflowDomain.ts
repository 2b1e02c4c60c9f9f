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

/** Wires the workflow's parts to one log, one store, its executions and a publisher. */
export function createWorkflowDomain(
  { log, store, executions, publisher }: WorkflowDomainDependencies,
  options: LifecycleOptions & AdmissionOptions,
): WorkflowDomain {
  const admission = new Admission(store, store, options);
  const recorder = new WorkflowRecorder(log, store, admission, publisher);
  const workflows = new WorkflowLifecycle(
    { recorder, log, projections: store, gates: store, executions, admission },
    options,
  );
  const gates = new GateDecisions({ recorder, gates: store, executions, lifecycle: workflows });
  return { workflows, gates };
}
