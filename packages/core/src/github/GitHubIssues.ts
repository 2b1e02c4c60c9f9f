import type { IssueDetails } from "../workflow/WorkflowLifecycle";
import { refusedInput, type GitHubConnection } from "./GitHubConnection";
import { GitHubRepository } from "./GitHubRepository";
import { parseIssueReference } from "./repositoryName";

/** Issues on GitHub, named `owner/name#123`: their title and body become the workflow's. */
export class GitHubIssues {
  constructor(private readonly github: GitHubConnection) {}

  /**
   * The issue's title and body; undefined for an id of another form (`PROJ-7`) or when no
   * GitHub token is configured. A ValidationError on `issueId` when GitHub has no such issue.
   */
  async describe(issueId: string): Promise<IssueDetails | undefined> {
    const reference = parseIssueReference(issueId);
    if (!reference) return undefined;
    const octokit = await this.github.client();
    if (!octokit) return undefined;
    const { title, body } = await new GitHubRepository(octokit, reference.repository)
      .issue(reference.number)
      .catch((error: unknown) =>
        refusedInput(
          error,
          "issueId",
          `GitHub has no issue ${issueId}, or the token cannot see it`,
        ),
      );
    return { title, ...(body !== undefined && { description: body }) };
  }
}
