import { domainDependencies } from "./commandServices";
import type { GitHubConnection } from "./github/GitHubConnection";
import { GitHubIssues } from "./github/GitHubIssues";
import { modelInUse } from "./modelServices";
import { stores, type Stores } from "./storeServices";
import { branchNameFor } from "./workflow/branchName";
import type { GateDecisions } from "./workflow/GateDecisions";
import { createWorkflowDomain } from "./workflow/workflowDomain";
import type { WorkflowLifecycle } from "./workflow/WorkflowLifecycle";
import type { WorkspaceProvider } from "./workspace/Workspace";
import { github, workspaces } from "./workspaceServices";

/** The stores, and the workflow's lifecycle with what it starts, publishes and proposes. */
export interface Services extends Stores {
  workflows: WorkflowLifecycle;
  gates: GateDecisions;
  workspaces: WorkspaceProvider;
  github: GitHubConnection;
}

let cached: Services | undefined;

/**
 * Wires the domain to its AWS clients and GitHub once per process (per Lambda container). A
 * function that only reads takes `stores()`, one that decides on existing workflows
 * `commands()`, a WebSocket route `subscriptions()`, one that works on repositories
 * `workspaces()`, an agent `agentServices()`: each bundles what it reaches.
 */
export function services(): Services {
  cached ??= createServices(stores());
  return cached;
}

function createServices(stored: Stores): Services {
  const { config } = stored;
  const repositories = workspaces();
  const issues = new GitHubIssues(github());
  const { workflows, gates } = createWorkflowDomain(domainDependencies(), {
    maxActiveWorkflows: config.maxActiveWorkflows,
    ...(config.budgetUsd !== undefined && { defaultBudgetUsd: config.budgetUsd }),
    model: async () => (await modelInUse()).model,
    resolveRepository: (repository) => repositories.resolveRepository(repository),
    branchNameFor,
    describeIssue: (issueId) => issues.describe(issueId),
    publish: (workflow) => repositories.publish(workflow),
  });
  return { ...stored, workflows, gates, workspaces: repositories, github: github() };
}
