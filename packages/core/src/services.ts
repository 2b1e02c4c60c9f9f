import { BaseAnthropic } from "@anthropic-ai/sdk/client";
import { Messages } from "@anthropic-ai/sdk/resources/messages/messages";
import { documentClient, dynamoClient, eventBridgeClient, sfnClient } from "./aws/clients";
import { EventPublisher } from "./aws/EventPublisher";
import { Executions } from "./aws/Executions";
import type { AgentDriver } from "./agents/AgentDriver";
import { AnthropicDriver } from "./agents/anthropic/AnthropicDriver";
import { ModelClient } from "./agents/anthropic/ModelClient";
import { DemoDriver } from "./agents/DemoDriver";
import { readAgentSettings, type AgentSettings } from "./agents/agentSettings";
import { readConfig, type AmeliaConfig } from "./config";
import { WorkflowDiffs } from "./diff/WorkflowDiffs";
import { Subscriptions } from "./realtime/Subscriptions";
import { CircuitBreaker } from "./resilience/CircuitBreaker";
import { readSecret } from "./secrets";
import { ConnectionStore } from "./store/ConnectionStore";
import { ConversationStore } from "./store/ConversationStore";
import { EventStore } from "./store/EventStore";
import { UsageStore } from "./store/UsageStore";
import { WorkflowStore } from "./store/WorkflowStore";
import { GitHubConnection } from "./github/GitHubConnection";
import { GitHubIssues } from "./github/GitHubIssues";
import { GitHubWorkspaceProvider } from "./workspace/GitHubWorkspaceProvider";
import { LocalGitWorkspaceProvider } from "./workspace/LocalGitWorkspaceProvider";
import { branchNameFor } from "./workflow/branchName";
import { WorkspaceRouter } from "./workspace/WorkspaceRouter";
import type { WorkspaceProvider } from "./workspace/Workspace";
import type { GateDecisions } from "./workflow/GateDecisions";
import { createWorkflowDomain } from "./workflow/workflowDomain";
import type { WorkflowLifecycle } from "./workflow/WorkflowLifecycle";

export interface Services {
  config: AmeliaConfig;
  workflows: WorkflowLifecycle;
  gates: GateDecisions;
  diffs: WorkflowDiffs;
  subscriptions: Subscriptions;
  /**
   * Claude through Amazon Bedrock (AMELIA_LLM_PROVIDER=bedrock), else through Anthropic's API
   * when a key is configured, else the offline demo model.
   */
  driver(): Promise<AgentDriver>;
  agentSettings: AgentSettings;
  workspaces: WorkspaceProvider;
  workflowStore: WorkflowStore;
  conversations: ConversationStore;
  usage: UsageStore;
  github: GitHubConnection;
}

let cached: Services | undefined;

/** Wires the domain to its AWS clients once per process (per Lambda container). */
export function services(): Services {
  cached ??= createServices(readConfig());
  return cached;
}

function createServices(config: AmeliaConfig): Services {
  const log = new EventStore(dynamoClient(), config.tableName);
  const workflowStore = new WorkflowStore(documentClient(), config.tableName);
  const agentSettings = readAgentSettings();
  const driver = driverSelector(agentSettings);
  const github = new GitHubConnection({ apiUrl: config.githubApiUrl });
  const workspaces = new WorkspaceRouter(
    config.repositories === "any" ? new LocalGitWorkspaceProvider(config.dataDir) : undefined,
    new GitHubWorkspaceProvider(github),
  );
  const issues = new GitHubIssues(github);
  const publisher = new EventPublisher(eventBridgeClient(), config.eventBusName);
  const { workflows, gates } = createWorkflowDomain(
    {
      log,
      store: workflowStore,
      executions: new Executions(sfnClient(), config.stateMachineArn),
      publisher,
    },
    {
      maxActiveWorkflows: config.maxActiveWorkflows,
      ...(config.budgetUsd !== undefined && { defaultBudgetUsd: config.budgetUsd }),
      model: async () => (await driver()).model,
      resolveRepository: (repository) => workspaces.resolveRepository(repository),
      branchNameFor,
      describeIssue: (issueId) => issues.describe(issueId),
      publish: (workflow) => workspaces.publish(workflow),
    },
  );
  const subscriptions = new Subscriptions(
    new ConnectionStore(documentClient(), config.tableName),
    workflowStore,
    publisher,
  );
  return {
    config,
    workflows,
    gates,
    diffs: new WorkflowDiffs({ workflows, workspaces }),
    subscriptions,
    driver,
    agentSettings,
    workspaces,
    workflowStore,
    conversations: new ConversationStore(documentClient(), config.tableName),
    usage: new UsageStore(documentClient(), config.tableName),
    github,
  };
}

/**
 * Picks the model per call. On Bedrock the driver is built at the first call (a function that
 * calls no model needs no region) and kept; no Anthropic key is read. Otherwise the key is read
 * through `readSecret` (cached, so a rotated key is picked up within minutes) and a driver is
 * built once per key. The circuit breaker belongs to the provider, so every driver of this
 * process shares it.
 */
export function driverSelector(
  settings: AgentSettings,
  readApiKey: () => Promise<string | undefined> = () => readSecret("anthropicApiKey"),
): () => Promise<AgentDriver> {
  const claude = (
    messages: ConstructorParameters<typeof ModelClient>[0],
    breaker: CircuitBreaker,
  ) =>
    new AnthropicDriver(
      new ModelClient(messages, breaker, {
        maxTokens: settings.maxTokens,
        streaming: settings.streaming,
        ...settings.retry,
      }),
      settings,
    );
  if (settings.provider === "bedrock") {
    let bedrock: AgentDriver | undefined;
    return async () => {
      // Loaded only here: the Bedrock SDK brings every Anthropic API resource and AWS's
      // event-stream parsing, which no other process needs to evaluate.
      const { bedrockMessages } = await import("./agents/bedrock/bedrockMessages");
      bedrock ??= claude(
        bedrockMessages(settings.retry.timeoutMs),
        new CircuitBreaker("Amazon Bedrock", settings.breaker),
      );
      return bedrock;
    };
  }
  const demo = new DemoDriver();
  const breaker = new CircuitBreaker("The Anthropic API", settings.breaker);
  let current: { apiKey: string; driver: AgentDriver } | undefined;
  return async () => {
    const apiKey = await readApiKey();
    if (apiKey === undefined) return demo;
    if (current?.apiKey !== apiKey) {
      // The base client with the Messages resource alone: the full client bundles every API.
      const anthropic = new BaseAnthropic({
        apiKey,
        maxRetries: 0,
        timeout: settings.retry.timeoutMs,
      });
      current = { apiKey, driver: claude(new Messages(anthropic), breaker) };
    }
    return current.driver;
  };
}
