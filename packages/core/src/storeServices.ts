import { documentClient, dynamoClient } from "./aws/clients";
import { readConfig, type AmeliaConfig } from "./config";
import { CheckLogStore } from "./store/CheckLogStore";
import { ConversationStore } from "./store/ConversationStore";
import { EventStore } from "./store/EventStore";
import { UsageStore } from "./store/UsageStore";
import { WorkflowStore } from "./store/WorkflowStore";
import { WorkflowReads } from "./workflow/WorkflowReads";

export interface Stores {
  config: AmeliaConfig;
  log: EventStore;
  workflowStore: WorkflowStore;
  /** What the API reads of the workflows. */
  workflows: WorkflowReads;
  conversations: ConversationStore;
  usage: UsageStore;
  checkLogs: CheckLogStore;
}

let cached: Stores | undefined;

/**
 * The table's stores, once per process: all a function that only reads needs, so that its
 * bundle holds the DynamoDB client and no other. The other services build on these.
 */
export function stores(): Stores {
  if (!cached) {
    const config = readConfig();
    const log = new EventStore(dynamoClient(), config.tableName);
    const workflowStore = new WorkflowStore(documentClient(), config.tableName);
    cached = {
      config,
      log,
      workflowStore,
      workflows: new WorkflowReads({ log, projections: workflowStore }),
      conversations: new ConversationStore(documentClient(), config.tableName),
      usage: new UsageStore(documentClient(), config.tableName),
      checkLogs: new CheckLogStore(documentClient(), config.tableName),
    };
  }
  return cached;
}
