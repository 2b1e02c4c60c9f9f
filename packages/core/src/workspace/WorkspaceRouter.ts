import { invalidField } from "../errors";
import { isGitHubRepository } from "../github/repositoryName";
import type {
  Changes,
  ChangesRequest,
  OpenWorkspaceRequest,
  Publication,
  PublishRequest,
  Workspace,
  WorkspaceProvider,
} from "./Workspace";

/**
 * Chooses the provider by the repository's form: `owner/name` is a GitHub repository, anything
 * else (a path, or no repository at all) is local. Canonical forms keep the choice stable: a
 * local repository is stored as an absolute path, a GitHub one as `owner/name`. Without a local
 * provider (in Lambda, which has no git binary) only GitHub repositories are accepted.
 */
export class WorkspaceRouter implements WorkspaceProvider {
  constructor(
    private readonly local: WorkspaceProvider | undefined,
    private readonly github: WorkspaceProvider,
  ) {}

  async resolveRepository(repository?: string): Promise<string | undefined> {
    return this.providerFor(repository).resolveRepository(repository);
  }

  async open(request: OpenWorkspaceRequest): Promise<Workspace> {
    return this.providerFor(request.repository).open(request);
  }

  async publish(workflow: PublishRequest): Promise<Publication> {
    return (await this.providerFor(workflow.repository).publish?.(workflow)) ?? {};
  }

  async changes(request: ChangesRequest): Promise<Changes> {
    return this.providerFor(request.repository).changes(request);
  }

  private providerFor(repository: string | undefined): WorkspaceProvider {
    if (repository !== undefined && isGitHubRepository(repository)) return this.github;
    if (this.local) return this.local;
    throw invalidField(
      "repository",
      "this deployment works on GitHub repositories only: give it as owner/name",
    );
  }
}
