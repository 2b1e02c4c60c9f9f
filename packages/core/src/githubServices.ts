import { documentClient } from "./aws/clients";
import { GitHubWebhooks } from "./github/GitHubWebhooks";
import { StatusComments } from "./github/StatusComments";
import { NotFoundError } from "./errors";
import { services } from "./services";
import { StatusCommentStore } from "./store/StatusCommentStore";

let webhooks: GitHubWebhooks | undefined;
let statusComments: StatusComments | undefined;

/** What GitHub's deliveries drive: the same lifecycle and gates as the API's routes. */
export function githubWebhooks(): GitHubWebhooks {
  const { workflows, gates, github } = services();
  webhooks ??= new GitHubWebhooks({ workflows, gates, github });
  return webhooks;
}

/** The status comments of the workflows started from GitHub. */
export function githubStatusComments(): StatusComments {
  const { config, workflowStore, github } = services();
  statusComments ??= new StatusComments({
    workflow: async (id) => {
      const workflow = await workflowStore.get(id);
      if (!workflow) throw new NotFoundError("Workflow", id);
      return workflow;
    },
    store: new StatusCommentStore(documentClient(), config.tableName),
    github,
  });
  return statusComments;
}
