import { sfnClient } from "./aws/clients";
import { Executions } from "./aws/Executions";
import { eventPublisher } from "./realtimeServices";
import { stores } from "./storeServices";
import {
  createCommandDomain,
  type CommandDomain,
  type WorkflowDomainDependencies,
} from "./workflow/workflowDomain";

/** The domain's AWS side: the table's log and store, Step Functions and the bus. */
export function domainDependencies(): WorkflowDomainDependencies {
  const { config, log, workflowStore } = stores();
  return {
    log,
    store: workflowStore,
    executions: new Executions(sfnClient(), config.stateMachineArn),
    publisher: eventPublisher(),
  };
}

let cached: CommandDomain | undefined;

/**
 * The commands on existing workflows and the gates' decisions, once per process: what the
 * routes and tasks that decide, cancel, resume or halt reach, without GitHub or the model.
 */
export function commands(): CommandDomain {
  cached ??= createCommandDomain(domainDependencies(), {
    maxActiveWorkflows: stores().config.maxActiveWorkflows,
  });
  return cached;
}
