import { WorkflowDiffs } from "./diff/WorkflowDiffs";
import { GitHubConnection } from "./github/GitHubConnection";
import { stores } from "./storeServices";
import { GitHubWorkspaceProvider } from "./workspace/GitHubWorkspaceProvider";
import { LocalGitWorkspaceProvider } from "./workspace/LocalGitWorkspaceProvider";
import { WorkspaceRouter } from "./workspace/WorkspaceRouter";

let connection: GitHubConnection | undefined;
let router: WorkspaceRouter | undefined;

/** The GitHub REST API, once per process. */
export function github(): GitHubConnection {
  connection ??= new GitHubConnection({ apiUrl: stores().config.githubApiUrl });
  return connection;
}

/** The repositories' workspaces: GitHub's, and local git ones where the runtime allows them. */
export function workspaces(): WorkspaceRouter {
  const { config } = stores();
  router ??= new WorkspaceRouter(
    config.repositories === "any" ? new LocalGitWorkspaceProvider(config.dataDir) : undefined,
    new GitHubWorkspaceProvider(github()),
  );
  return router;
}

/** What each developer round changed: the stores and the workspaces, no lifecycle. */
export function diffs(): WorkflowDiffs {
  return new WorkflowDiffs({ workflows: stores().workflows, workspaces: workspaces() });
}
