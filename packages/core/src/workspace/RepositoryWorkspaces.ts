import { isGitHubRepository } from "../github/repositoryName";
import type {
  OpenWorkspaceRequest,
  Publication,
  PublishRequest,
  Workspace,
  WorkspaceProvider,
} from "./Workspace";

/**
 * Chooses the provider by the repository's form: `owner/name` is a GitHub repository, anything
 * else (a path, or no repository at all) is local. Canonical forms keep the choice stable: a
 * local repository is stored as an absolute path, a GitHub one as `owner/name`.
 */
export class RepositoryWorkspaces implements WorkspaceProvider {
  constructor(
    private readonly local: WorkspaceProvider,
    private readonly github: WorkspaceProvider,
  ) {}

  resolveRepository(repository?: string): Promise<string | undefined> {
    return this.providerFor(repository).resolveRepository(repository);
  }

  open(request: OpenWorkspaceRequest): Promise<Workspace> {
    return this.providerFor(request.repository).open(request);
  }

  async publish(workflow: PublishRequest): Promise<Publication> {
    return (await this.providerFor(workflow.repository).publish?.(workflow)) ?? {};
  }

  private providerFor(repository: string | undefined): WorkspaceProvider {
    return repository !== undefined && isGitHubRepository(repository) ? this.github : this.local;
  }
}
