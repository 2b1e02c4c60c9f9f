import { documentClient, dynamoClient, eventBridgeClient, sfnClient } from "./aws/clients";
import { EventPublisher } from "./aws/EventPublisher";
import { Executions } from "./aws/Executions";
import type { AgentDriver } from "./agents/AgentDriver";
import { DemoDriver } from "./agents/DemoDriver";
import { readConfig, type AmeliaConfig } from "./config";
import { Subscriptions } from "./realtime/Subscriptions";
import { ConnectionStore } from "./store/ConnectionStore";
import { EventStore } from "./store/EventStore";
import { WorkflowRepository } from "./store/WorkflowRepository";
import { GitHubConnection } from "./github/GitHubConnection";
import { GitHubIssues } from "./github/GitHubIssues";
import { GitHubWorkspaces } from "./workspace/GitHubWorkspaces";
import { branchNameFor, LocalGitWorkspaces } from "./workspace/LocalGitWorkspaces";
import { RepositoryWorkspaces } from "./workspace/RepositoryWorkspaces";
import type { WorkspaceProvider } from "./workspace/Workspace";
import { WorkflowService } from "./workflow/WorkflowService";

export interface Services {
  config: AmeliaConfig;
  workflows: WorkflowService;
  subscriptions: Subscriptions;
  driver: AgentDriver;
  workspaces: WorkspaceProvider;
  repository: WorkflowRepository;
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
  const driver = selectDriver();
  const github = new GitHubConnection({ apiUrl: config.githubApiUrl });
  const workspaces = new RepositoryWorkspaces(
    config.repositories === "any" ? new LocalGitWorkspaces(config.dataDir) : undefined,
    new GitHubWorkspaces(github),
  );
  const issues = new GitHubIssues(github);
  const publisher = new EventPublisher(eventBridgeClient(), config.eventBusName);
  const workflows = new WorkflowService(
    log,
    repository,
    new Executions(sfnClient(), config.stateMachineArn),
    publisher,
    {
      maxActiveWorkflows: config.maxActiveWorkflows,
      model: driver.model,
      resolveRepository: (repository) => workspaces.resolveRepository(repository),
      branchNameFor,
      describeIssue: (issueId) => issues.describe(issueId),
      publish: (workflow) => workspaces.publish(workflow),
    },
  );
  const subscriptions = new Subscriptions(
    new ConnectionStore(documentClient(), config.tableName),
    repository,
    publisher,
  );
  return { config, workflows, subscriptions, driver, workspaces, repository };
}

/** The Anthropic driver arrives with the agents issue; until then every workflow uses the demo. */
function selectDriver(): AgentDriver {
  return new DemoDriver();
}
