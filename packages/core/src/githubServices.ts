import { documentClient } from "./aws/clients";
import { GitHubWebhooks } from "./github/GitHubWebhooks";
import { StatusComments } from "./github/StatusComments";
import { services } from "./services";
import { stores } from "./storeServices";
import { StatusCommentStore } from "./store/StatusCommentStore";
import { github } from "./workspaceServices";

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
  const { config, workflows } = stores();
  statusComments ??= new StatusComments({
    workflow: (id) => workflows.get(id),
    store: new StatusCommentStore(documentClient(), config.tableName),
    github: github(),
  });
  return statusComments;
}
