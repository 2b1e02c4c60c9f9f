import Anthropic from "@anthropic-ai/sdk";
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { documentClient, dynamoClient, eventBridgeClient, sfnClient } from "./aws/clients";
import { EventPublisher } from "./aws/EventPublisher";
import { Executions } from "./aws/Executions";
import type { AgentDriver } from "./agents/AgentDriver";
import { AnthropicDriver } from "./agents/anthropic/AnthropicDriver";
import { ModelClient } from "./agents/anthropic/ModelClient";
import { DemoDriver } from "./agents/DemoDriver";
import { readConfig, requireSetting, type AgentSettings, type AmeliaConfig } from "./config";
import { Connections } from "./realtime/Connections";
import { RealtimeService } from "./realtime/RealtimeService";
import { CircuitBreaker } from "./resilience/CircuitBreaker";
import { readSecret } from "./secrets";
import { ConnectionStore } from "./store/ConnectionStore";
import { ConversationStore } from "./store/ConversationStore";
import { EventStore } from "./store/EventStore";
import { UsageStore } from "./store/UsageStore";
import { WorkflowRepository } from "./store/WorkflowRepository";
import { branchNameFor, LocalGitWorkspaces } from "./workspace/LocalGitWorkspaces";
import { WorkflowService } from "./workflow/WorkflowService";

export interface Services {
  config: AmeliaConfig;
  workflows: WorkflowService;
  realtime: RealtimeService;
  /** Claude when an Anthropic API key is configured, else the offline demo model. */
  driver(): Promise<AgentDriver>;
  workspaces: LocalGitWorkspaces;
  repository: WorkflowRepository;
  conversations: ConversationStore;
  usage: UsageStore;
}

let cached: Services | undefined;

/** Wires the domain to its AWS clients once per process (per Lambda container). */
export function services(): Services {
  cached ??= createServices(readConfig());
  return cached;
}

function createServices(config: AmeliaConfig): Services {
  const log = new EventStore(dynamoClient(), config.tableName);
  const repository = new WorkflowRepository(documentClient(), config.tableName);
  const driver = driverSelector(config.agents);
  const workspaces = new LocalGitWorkspaces(config.dataDir);
  const workflows = new WorkflowService(
    log,
    repository,
    new Executions(sfnClient(), requireSetting(config.stateMachineArn, "AMELIA_STATE_MACHINE_ARN")),
    new EventPublisher(eventBridgeClient(), config.eventBusName),
    {
      maxActiveWorkflows: config.maxActiveWorkflows,
      model: async () => (await driver()).model,
      resolveRepository: (repository) => workspaces.resolveRepository(repository),
      branchNameFor,
    },
  );
  const connections = new Connections(
    new ApiGatewayManagementApiClient({
      endpoint: requireSetting(config.wsManagementEndpoint, "AMELIA_WS_MANAGEMENT_ENDPOINT"),
    }),
  );
  const realtime = new RealtimeService(
    connections,
    new ConnectionStore(documentClient(), config.tableName),
    log,
    repository,
  );
  return {
    config,
    workflows,
    realtime,
    driver,
    workspaces,
    repository,
    conversations: new ConversationStore(documentClient(), config.tableName),
    usage: new UsageStore(documentClient(), config.tableName),
  };
}

/**
 * Picks the model per call: the key is read through `readSecret` (cached, so a rotated key is
 * picked up within minutes) and a driver is built once per key. The circuit breaker belongs to
 * the provider, so every driver of this process shares it.
 */
function driverSelector(settings: AgentSettings): () => Promise<AgentDriver> {
  const demo = new DemoDriver();
  const breaker = new CircuitBreaker("The Anthropic API", settings.breaker);
  let current: { apiKey: string; driver: AgentDriver } | undefined;
  return async () => {
    const apiKey = await readSecret("anthropicApiKey");
    if (apiKey === undefined) return demo;
    if (current?.apiKey !== apiKey) {
      const anthropic = new Anthropic({
        apiKey,
        maxRetries: 0,
        timeout: settings.retry.timeoutMs,
      });
      const client = new ModelClient(anthropic, breaker, {
        maxTokens: settings.maxTokens,
        streaming: settings.streaming,
        ...settings.retry,
      });
      current = { apiKey, driver: new AnthropicDriver(client, settings) };
    }
    return current.driver;
  };
}
