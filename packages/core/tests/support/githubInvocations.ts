import type { FakeGitHub } from "../../../../tests/support/fakeGitHub";
import type { StageContext } from "../../src/agents/stages";
import type { Executions } from "../../src/aws/Executions";
import { GitHubConnection } from "../../src/github/GitHubConnection";
import { GitHubIssues } from "../../src/github/GitHubIssues";
import { EventStore } from "../../src/store/EventStore";
import { WorkflowStore } from "../../src/store/WorkflowStore";
import { branchNameFor } from "../../src/workflow/branchName";
import { createWorkflowDomain } from "../../src/workflow/workflowDomain";
import { GitHubWorkspaceProvider } from "../../src/workspace/GitHubWorkspaceProvider";
import { LocalGitWorkspaceProvider } from "../../src/workspace/LocalGitWorkspaceProvider";
import { WorkspaceRouter } from "../../src/workspace/WorkspaceRouter";
import type { TestTable } from "./dynamo";

/**
 * Lambda invocations against a fake GitHub and a test table: each builds for itself what
 * services.ts wires (a fresh GitHub connection, composite workspaces and the workflow's domain on
 * the shared table). The state machine and the event bus are not under test: starting an
 * execution and publishing do nothing.
 */
export function githubInvocations(
  github: FakeGitHub,
  table: TestTable,
  token: () => string | undefined,
) {
  function invocation() {
    const connection = new GitHubConnection({ apiUrl: github.url, token: async () => token() });
    const workspaces = new WorkspaceRouter(
      new LocalGitWorkspaceProvider("/nonexistent/amelia-data"),
      new GitHubWorkspaceProvider(connection),
    );
    const issues = new GitHubIssues(connection);
    const executions = {
      arnFor: (id: string) => `arn:aws:states:us-east-1:000000000000:execution:amelia:${id}`,
      start: async () => undefined,
    } as unknown as Executions;
    const { workflows } = createWorkflowDomain(
      {
        log: new EventStore(table.client, table.tableName),
        store: new WorkflowStore(table.document, table.tableName),
        executions,
        publisher: { publish: async () => undefined },
      },
      {
        maxActiveWorkflows: 50,
        model: async () => "amelia-demo",
        resolveRepository: (repository) => workspaces.resolveRepository(repository),
        branchNameFor,
        describeIssue: (issueId) => issues.describe(issueId),
        publish: (workflow) => workspaces.publish(workflow),
      },
    );
    return { workspaces, workflows };
  }

  /** What agentTask hands a stage runner. */
  async function stageContext(id: string): Promise<StageContext> {
    const { workflows } = invocation();
    return {
      workflow: await workflows.get(id),
      log: await workflows.history(id),
      record: async (event) => {
        await workflows.record(id, event);
      },
    };
  }

  async function approvePlan(id: string): Promise<void> {
    const { workflows } = invocation();
    for (const [type, agent] of [
      ["approval_required", "system"],
      ["approval_granted", "human"],
    ] as const) {
      await workflows.record(id, {
        type,
        agent,
        level: "info",
        message: type,
        data: { gate: "plan" },
      });
    }
  }

  return { invocation, stageContext, approvePlan };
}
