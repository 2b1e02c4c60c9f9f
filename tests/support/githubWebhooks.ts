import { createHash, createHmac, randomInt, randomUUID } from "node:crypto";
import definitions from "@octokit/webhooks-examples";
import { sign } from "@octokit/webhooks-methods";
import type {
  IssueCommentCreatedEvent,
  IssuesAssignedEvent,
  IssuesLabeledEvent,
  PullRequestReviewSubmittedEvent,
  Repository,
  StarCreatedEvent,
  User,
  WebhookEventMap,
  WebhookEventName,
} from "@octokit/webhooks-types";
import type { ReviewJson, UserJson, UserType } from "./fakeGitHub";

/**
 * Webhook deliveries as GitHub sends them. Each payload starts from a real example of its event
 * and action (@octokit/webhooks-examples) and overrides only what a test names; the repository,
 * the issue's or pull request's number and the users are carried into every URL that names them.
 */

/** A login (a person), a login and its kind, or a user of the fake GitHub's JSON (all its fields). */
export type Sender = string | { login: string; type?: UserType } | UserJson;

interface IssueOptions {
  /** `owner/name`. */
  repository: string;
  number: number;
  title: string;
  body: string | null;
  sender: Sender;
}

/** The `X-Hub-Signature-256` of a body: `sha256=<hex HMAC>`. */
export function signature(secret: string, body: string): Promise<string> {
  return sign(secret, body);
}

/** `issues.labeled`: someone put `label` on an issue (the issue then carries that label). */
export function labeledIssue(options: IssueOptions & { label: string }): IssuesLabeledEvent {
  const payload = fromExample("issues", "labeled", options.repository);
  const label = {
    ...(payload.label ?? missing("issues.labeled", "label")),
    id: stableId(`label:${options.label}`),
    name: options.label,
    url: `${API}/repos/${options.repository}/labels/${encodeURIComponent(options.label)}`,
  };
  return {
    ...payload,
    issue: { ...issue(payload.issue, options, false), labels: [label] },
    label,
    sender: user(payload.sender, options.sender),
  };
}

/** `issues.assigned`: someone assigned `assignee` to an issue. */
export function assignedIssue(options: IssueOptions & { assignee: Sender }): IssuesAssignedEvent {
  const payload = fromExample("issues", "assigned", options.repository);
  const assignee = user(
    payload.assignee ?? missing("issues.assigned", "assignee"),
    options.assignee,
  );
  return {
    ...payload,
    issue: { ...issue(payload.issue, options, false), assignee, assignees: [assignee] },
    assignee,
    sender: user(payload.sender, options.sender),
  };
}

/** `issue_comment.created`: `sender` commented `body` on an issue, or on a pull request. */
export function issueComment(options: {
  repository: string;
  number: number;
  body: string;
  sender: Sender;
  onPullRequest?: boolean;
  commentId?: number;
}): IssueCommentCreatedEvent {
  const payload = fromExample("issue_comment", "created", options.repository);
  const { repository, number } = options;
  const onIssue = issue(payload.issue, { repository, number }, options.onPullRequest ?? false);
  const id = options.commentId ?? randomInt(1, 2 ** 31);
  const author = user(payload.comment.user, options.sender);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    ...payload,
    issue: onIssue,
    comment: {
      ...payload.comment,
      id,
      node_id: legacyNodeId("012:IssueComment", id),
      url: `${API}/repos/${options.repository}/issues/comments/${id}`,
      html_url: `${onIssue.html_url}#issuecomment-${id}`,
      issue_url: onIssue.url,
      body: options.body,
      user: author,
      author_association: isOwner(options.repository, author) ? "OWNER" : "NONE",
      created_at: now,
      updated_at: now,
    },
    sender: author,
  };
}

/**
 * `pull_request_review.submitted`: `review` (as the fake GitHub's `addReview` returned it) on
 * the pull request, whose page, body and head branch are the test's.
 */
export function reviewSubmitted(options: {
  repository: string;
  pullRequest: { number: number; htmlUrl: string; body: string | null; headRef: string };
  review: ReviewJson;
  sender: Sender;
}): PullRequestReviewSubmittedEvent {
  const payload = fromExample("pull_request_review", "submitted", options.repository);
  const { number, htmlUrl, body, headRef } = options.pullRequest;
  const pull = renumber(payload.pull_request, payload.pull_request.number, number);
  const owner = options.repository.split("/")[0] as string;
  const side = (example: typeof pull.head, ref: string, sha: string) => ({
    ...example,
    ref,
    sha,
    label: `${owner}:${ref}`,
    user: user(example.user, { login: owner, type: example.user.type }),
    repo: moveRepository(example.repo, options.repository),
  });
  return {
    ...payload,
    review: {
      ...payload.review,
      ...options.review,
      user: user(payload.review.user, options.review.user),
    },
    pull_request: {
      ...pull,
      number,
      html_url: htmlUrl,
      body,
      head: side(pull.head, headRef, options.review.commit_id),
      base: side(pull.base, pull.base.ref, pull.base.sha),
    },
    sender: user(payload.sender, options.sender),
  };
}

/** `star.created`: an event Amelia does not handle. */
export function starCreated(options: { repository: string; sender: Sender }): StarCreatedEvent {
  const payload = fromExample("star", "created", options.repository);
  return { ...payload, sender: user(payload.sender, options.sender) };
}

export interface Delivery<E extends WebhookEventName = WebhookEventName> {
  event: E;
  payload: WebhookEventMap[E];
  /** Signs the body as GitHub does with the webhook's secret; without one it goes unsigned. */
  secret?: string;
  /** Sent as `X-Hub-Signature-256` instead of the signature; null sends none. */
  signatureHeader?: string | null;
  /** `X-GitHub-Delivery`; a fresh UUID unless given (GitHub's redeliveries repeat it). */
  deliveryId?: string;
}

export interface DeliveryResult {
  status: number;
  /** Parsed when the answer is JSON, else its text. */
  body: unknown;
  deliveryId: string;
}

/** POSTs a delivery to Amelia's webhook route, with the headers GitHub sends. */
export async function deliver<E extends WebhookEventName>(
  apiBaseUrl: string,
  delivery: Delivery<E>,
): Promise<DeliveryResult> {
  const body = JSON.stringify(delivery.payload);
  const deliveryId = delivery.deliveryId ?? randomUUID();
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "GitHub-Hookshot/a1b2c3d",
    "X-GitHub-Event": delivery.event,
    "X-GitHub-Delivery": deliveryId,
    "X-GitHub-Hook-ID": HOOK_ID,
  };
  const repositoryId = (delivery.payload as { repository?: { id: number } }).repository?.id;
  if (repositoryId !== undefined) {
    headers["X-GitHub-Hook-Installation-Target-Type"] = "repository";
    headers["X-GitHub-Hook-Installation-Target-ID"] = String(repositoryId);
  }
  if (delivery.signatureHeader === undefined && delivery.secret !== undefined) {
    // GitHub still sends the SHA-1 signature beside the SHA-256 one.
    headers["X-Hub-Signature"] =
      `sha1=${createHmac("sha1", delivery.secret).update(body).digest("hex")}`;
    headers["X-Hub-Signature-256"] = await signature(delivery.secret, body);
  } else if (typeof delivery.signatureHeader === "string") {
    headers["X-Hub-Signature-256"] = delivery.signatureHeader;
  }
  const url = `${apiBaseUrl}/api/github/webhook`;
  const what = `deliver ${delivery.event} ${deliveryId} to ${url}`;
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers, body });
  } catch (error) {
    throw new Error(`${what}: ${String(error)}`, { cause: error });
  }
  const text = await response.text();
  if (!/^application\/json\b/.test(response.headers.get("content-type") ?? "")) {
    return { status: response.status, body: text, deliveryId };
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown, deliveryId };
  } catch {
    throw new Error(`${what}: HTTP ${response.status} claims JSON but sent ${text}`);
  }
}

const API = "https://api.github.com";
const WEB = "https://github.com";
const HOOK_ID = "471902635";

/**
 * A copy of the first example of `event.action`, moved to `repository`: every URL naming the
 * example's repository names it instead, and its name, id and owner are the repository's.
 */
function fromExample<E extends WebhookEventName, A extends string>(
  event: E,
  action: A,
  repository: string,
): Extract<WebhookEventMap[E], { action: A }> {
  const definition = definitions.find((candidate) => candidate.name === event);
  const found = (definition?.examples as { action?: string }[] | undefined)?.find(
    (candidate) => candidate.action === action,
  );
  if (found === undefined) missing(`${event}.${action}`, "an example");
  const example = found as Extract<WebhookEventMap[E], { action: A }> & {
    repository: WebhookEventMap["issues"]["repository"];
  };
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new Error(`repository ${repository}: expected owner/name`);
  }
  const moved = JSON.parse(
    JSON.stringify(example).split(example.repository.full_name).join(repository),
  ) as typeof example;
  moved.repository = moveRepository(moved.repository, repository);
  return moved;
}

/** An example's repository (its URLs already naming `repository`) as `repository`. */
function moveRepository<T extends Repository>(example: T, repository: string): T {
  const [owner, name] = repository.split("/") as [string, string];
  const id = stableId(`repository:${repository.toLowerCase()}`);
  return {
    ...example,
    id,
    node_id: legacyNodeId("010:Repository", id),
    name,
    full_name: repository,
    owner: user(example.owner, { login: owner, type: example.owner.type }),
  };
}

/** The example's issue as issue `number` of the repository, or as that pull request's issue. */
function issue<T extends IssueCommentCreatedEvent["issue"] | IssuesLabeledEvent["issue"]>(
  example: T,
  options: { repository: string; number: number; title?: string; body?: string | null },
  onPullRequest: boolean,
): T {
  const moved = renumber(example, example.number, options.number);
  const id = stableId(`issue:${options.repository.toLowerCase()}#${options.number}`);
  const page = `${WEB}/${options.repository}/${onPullRequest ? "pull" : "issues"}/${options.number}`;
  return {
    ...moved,
    id,
    node_id: legacyNodeId("05:Issue", id),
    number: options.number,
    html_url: page,
    ...(options.title !== undefined && { title: options.title }),
    ...(options.body !== undefined && { body: options.body }),
    ...(onPullRequest && {
      pull_request: {
        url: `${API}/repos/${options.repository}/pulls/${options.number}`,
        html_url: page,
        diff_url: `${page}.diff`,
        patch_url: `${page}.patch`,
        merged_at: null,
      },
    }),
  };
}

/** `value` with every issue, pull or pulls URL of number `from` naming number `to` instead. */
function renumber<T>(value: T, from: number, to: number): T {
  const pattern = new RegExp(`/(issues|pulls|pull)/${from}(?=[/{#."])`, "g");
  return JSON.parse(JSON.stringify(value).replace(pattern, `/$1/${to}`)) as T;
}

/** The example's user as `who`: login, kind, id and every URL naming the login. */
function user(example: User, who: Sender): User {
  const { login, type = "User", ...fields } = typeof who === "string" ? { login: who } : who;
  const pattern = new RegExp(`/${escapeRegExp(example.login)}(?=[/{]|$)`, "g");
  const moved = Object.fromEntries(
    Object.entries(example).map(([key, value]) => [
      key,
      typeof value === "string" ? value.replace(pattern, `/${login}`) : value,
    ]),
  ) as unknown as User;
  const id = stableId(`user:${login.toLowerCase()}`);
  return {
    ...moved,
    id,
    node_id: legacyNodeId(type === "Bot" ? "03:Bot" : "04:User", id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    ...fields,
    login,
    type,
  };
}

function isOwner(repository: string, author: User): boolean {
  return repository.split("/")[0]?.toLowerCase() === author.login.toLowerCase();
}

/** The same id for the same name, as GitHub's ids stay with what they name. */
function stableId(name: string): number {
  return parseInt(createHash("sha256").update(name).digest("hex").slice(0, 8), 16);
}

/** GitHub's node ids of webhook examples: base64 of `<kind>:<Type><id>`. */
function legacyNodeId(kind: string, id: number): string {
  return Buffer.from(`${kind}${id}`).toString("base64");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function missing(where: string, what: string): never {
  throw new Error(`@octokit/webhooks-examples has no ${what} in ${where}`);
}
