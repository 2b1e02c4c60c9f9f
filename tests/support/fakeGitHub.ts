import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { blobSha, gitObjectSha } from "../../packages/core/src/workspace/gitObjects";

/**
 * A faithful fake of the part of GitHub's REST API that Amelia uses, on a real HTTP server with
 * in-memory repositories: repository metadata, the Git Data API (refs, commits, trees, blobs),
 * compare, pulls, reviews' comments, issues and their comments, and collaborators' permissions.
 * Object ids are real git ids, so a tree's sha changes exactly when its content does. Requests are
 * checked as GitHub checks them (a User-Agent, the token, the body's fields), and failures come
 * back in GitHub's shapes and statuses (401, 403, 404, 409, 422). Lists are paginated as on
 * GitHub (`per_page`, `page`, a `link` header). Repositories are private: without a valid token
 * they do not exist (404). What the API writes (comments, pull requests) is authored by the
 * token's user, `authenticatedUser`.
 */
export class FakeGitHub {
  /** Every request received, in order, to assert on what the client sent. */
  readonly requests: RecordedRequest[] = [];
  /** Every ref created, moved or deleted through the API, in order. */
  readonly refUpdates: RefUpdate[] = [];
  /** Recursive tree listings with more entries than this come back `truncated`, as on GitHub. */
  maxRecursiveTreeEntries = 100_000;

  private readonly repositories = new Map<string, FakeRepository>();
  /** A user's id, the same wherever the login appears. */
  private readonly userIds = new Map<string, number>();
  private faults: Reply[] = [];
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    /** The API's base URL, for `AMELIA_GITHUB_API_URL`. */
    readonly url: string,
    readonly token: string,
    /** The user the token belongs to: the author of every comment and pull request it writes. */
    readonly authenticatedUser: GitHubAccount,
  ) {}

  static async start(options: StartOptions = {}): Promise<FakeGitHub> {
    let fake: FakeGitHub | undefined = undefined;
    const server = createServer((request, response) => {
      void fake?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeGitHub(
      server,
      `http://127.0.0.1:${port}`,
      options.token ?? "ghp_fakeTokenForTests0000000000000000000",
      { login: options.user?.login ?? "amelia-bot", type: options.user?.type ?? "Bot" },
    );
    return fake;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The next request fails with this status, as GitHub does when it is having a bad day. */
  failNextRequest(status: number, message: string): void {
    this.faults.push(failure(status, message));
  }

  /** A repository with one commit holding `files` on its default branch (none when empty). */
  addRepository(fullName: string, options: RepositoryOptions = {}): void {
    const [owner, name] = fullName.split("/") as [string, string];
    const repository: FakeRepository = {
      owner,
      name,
      defaultBranch: options.defaultBranch ?? "main",
      canPush: options.canPush ?? true,
      archived: options.archived ?? false,
      objects: new Map(),
      refs: new Map(),
      issues: new Map(),
      pulls: [],
      comments: [],
      reviews: [],
      roles: new Map(),
      nextNumber: 1,
    };
    this.repositories.set(fullName.toLowerCase(), repository);
    if (options.files) {
      this.pushCommit(fullName, repository.defaultBranch, options.files, "Initial commit");
    }
  }

  /**
   * Commits `changes` (a path → content, or null to delete) on top of a branch (or a full ref,
   * `refs/...`), as a person would.
   */
  pushCommit(
    fullName: string,
    branch: string,
    changes: Record<string, FileSpec | null>,
    message: string,
  ): string {
    const repository = this.repository(fullName);
    const ref = branch.startsWith("refs/") ? branch : `refs/heads/${branch}`;
    const parent = repository.refs.get(ref);
    const files = parent
      ? this.flatten(repository, this.commit(repository, parent).tree)
      : new Map();
    for (const [path, spec] of Object.entries(changes)) {
      if (spec === null) {
        files.delete(path);
        continue;
      }
      const { content, mode } = typeof spec === "string" ? { content: spec, mode: "100644" } : spec;
      place(files, path, { mode: mode ?? "100644", sha: this.storeBlob(repository, content) });
    }
    const sha = this.storeCommit(repository, {
      tree: this.storeTree(repository, files),
      parents: parent ? [parent] : [],
      message,
    });
    repository.refs.set(ref, sha);
    return sha;
  }

  /** Creates a branch where another one points, as `git push origin main:feature` would. */
  createBranch(fullName: string, branch: string, from: string): void {
    const repository = this.repository(fullName);
    const tip = repository.refs.get(`refs/heads/${from}`);
    if (tip === undefined) throw new Error(`No branch ${from} in ${fullName}`);
    repository.refs.set(`refs/heads/${branch}`, tip);
  }

  addIssue(fullName: string, issue: { title: string; body?: string | null }): number {
    const repository = this.repository(fullName);
    const number = repository.nextNumber++;
    repository.issues.set(number, { title: issue.title, body: issue.body ?? null });
    return number;
  }

  /** The commit a branch points at. */
  branchTip(fullName: string, branch: string): string | undefined {
    return this.refTip(fullName, `refs/heads/${branch}`);
  }

  /** The commit any ref (`refs/heads/main`, `refs/amelia/<id>`) points at. */
  refTip(fullName: string, ref: string): string | undefined {
    return this.repository(fullName).refs.get(ref);
  }

  /** The files at a branch's tip (or a full ref's, or a commit), as text. */
  filesAt(fullName: string, branchOrCommit: string): Record<string, string> {
    const repository = this.repository(fullName);
    const commit =
      repository.refs.get(branchOrCommit) ??
      repository.refs.get(`refs/heads/${branchOrCommit}`) ??
      branchOrCommit;
    const files = this.flatten(repository, this.commit(repository, commit).tree);
    return Object.fromEntries(
      [...files].map(([path, file]) => [path, this.blob(repository, file.sha).toString("utf8")]),
    );
  }

  /** A commit's message and parents. */
  commitInfo(fullName: string, sha: string): { message: string; parents: string[] } {
    const { message, parents } = this.commit(this.repository(fullName), sha);
    return { message, parents };
  }

  pullRequests(fullName: string): readonly FakePullRequest[] {
    return this.repository(fullName).pulls;
  }

  /** The comments on an issue or pull request, oldest first, each with every body it had. */
  comments(fullName: string, number: number): FakeIssueComment[] {
    const repository = this.repository(fullName);
    this.existingIssueOrPull(repository, number, fullName);
    return repository.comments
      .filter((comment) => comment.issueNumber === number)
      .map(({ id, author, history }) => ({
        id,
        author: { ...author },
        body: history[history.length - 1] as string,
        history: [...history],
      }));
  }

  /** A person's comment on an issue or pull request; its JSON as the API and webhooks show it. */
  addComment(
    fullName: string,
    number: number,
    comment: { login: string; body: string; type?: UserType },
  ): IssueCommentJson {
    const repository = this.repository(fullName);
    this.existingIssueOrPull(repository, number, fullName);
    const stored = this.storeComment(repository, number, {
      login: comment.login,
      type: comment.type ?? "User",
      body: comment.body,
    });
    return this.commentJson(repository, stored);
  }

  /** The user's role on the repository, as an owner granting it would (`none`: no access). */
  setPermission(fullName: string, login: string, role: RepositoryRole): void {
    this.repository(fullName).roles.set(login.toLowerCase(), role);
  }

  /**
   * A person's review of a pull request, submitted on its head commit, with comments on lines of
   * the head's files; its JSON as the `pull_request_review` webhook's `review` has it.
   */
  addReview(fullName: string, pullNumber: number, review: ReviewSpec): ReviewJson {
    const repository = this.repository(fullName);
    const pull = repository.pulls.find((candidate) => candidate.number === pullNumber);
    if (!pull) throw new Error(`No pull request #${pullNumber} in ${fullName}`);
    const commitId = repository.refs.get(`refs/heads/${pull.head}`);
    if (commitId === undefined) throw new Error(`The head branch ${pull.head} is gone`);
    const files = this.filesAt(fullName, commitId);
    const author: GitHubAccount = { login: review.login, type: review.type ?? "User" };
    const submittedAt = timestamp();
    const id = this.nextId++;
    const comments = (review.comments ?? []).map((comment): StoredReviewComment => {
      const content = files[comment.path];
      if (content === undefined) {
        throw new Error(`${comment.path} is not a file of #${pullNumber}'s head in ${fullName}`);
      }
      const lines = content.replace(/\n$/, "").split("\n");
      if (comment.line !== undefined && !(comment.line >= 1 && comment.line <= lines.length)) {
        throw new Error(`${comment.path} has no line ${comment.line} (${lines.length} lines)`);
      }
      return { id: this.nextId++, ...comment, diffHunk: diffHunk(lines, comment.line) };
    });
    const stored: StoredReview = {
      id,
      pullNumber,
      author,
      state: review.state,
      body: review.body || null,
      commitId,
      submittedAt,
      comments,
    };
    repository.reviews.push(stored);
    const pullUrl = `${this.repositoryUrl(repository)}/pulls/${pullNumber}`;
    const htmlUrl = `${this.htmlUrl(repository)}/pull/${pullNumber}#pullrequestreview-${id}`;
    return {
      id,
      node_id: nodeId("PRR_", id),
      user: this.userJson(author),
      body: stored.body,
      commit_id: commitId,
      submitted_at: submittedAt,
      state: review.state.toLowerCase() as ReviewJson["state"],
      html_url: htmlUrl,
      pull_request_url: pullUrl,
      author_association: this.authorAssociation(repository, author.login),
      _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const segments = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const recorded: RecordedRequest = {
      method: request.method ?? "GET",
      path: segments.join("/"),
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
    };
    this.requests.push(recorded);
    let reply: Reply;
    try {
      const body = await readJson(request);
      recorded.body = body;
      reply = this.faults.shift() ?? this.route(request, segments, url, body);
    } catch (error) {
      reply = error instanceof Reply ? error : new Reply(500, { message: String(error) });
    }
    if (reply.status === 204) {
      response.writeHead(204).end();
      return;
    }
    const body = JSON.stringify(reply.body);
    response.writeHead(reply.status, {
      ...reply.headers,
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      "x-github-media-type": "github.v3; format=json",
    });
    response.end(body);
  }

  private route(request: IncomingMessage, segments: string[], url: URL, body: unknown): Reply {
    if (!request.headers["user-agent"]) {
      throw failure(
        403,
        "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.",
      );
    }
    const [root, owner, name, ...rest] = segments;
    if (root !== "repos" || !owner || !name) throw failure(404, "Not Found");
    this.authenticate(request.headers.authorization);
    const repository = this.repositories.get(`${owner}/${name}`.toLowerCase());
    if (!repository) throw failure(404, "Not Found");
    const method = request.method ?? "GET";
    const route = `${method} ${rest[0] ?? ""}${rest[0] === "git" ? `/${rest[1] ?? ""}` : ""}`;
    const write = method !== "GET";
    // Commenting needs only read access (whoever can see an issue may comment); the rest, push.
    if (write && rest[0] !== "issues" && !repository.canPush) {
      throw failure(403, "Resource not accessible by personal access token");
    }
    if (write && repository.archived) {
      throw failure(403, "Repository was archived so is read-only.");
    }
    const tail = rest.slice(rest[0] === "git" ? 2 : 1);
    const query = url.searchParams;
    switch (route) {
      case "GET ":
        return new Reply(200, this.repositoryJson(repository));
      case "GET git/ref":
        return new Reply(200, this.refJson(repository, this.existingRef(repository, tail)));
      case "POST git/refs":
        return this.createRef(repository, body);
      case "PATCH git/refs":
        return this.updateRef(repository, `refs/${tail.join("/")}`, body);
      case "DELETE git/refs":
        return this.deleteRef(repository, `refs/${tail.join("/")}`);
      case "GET git/commits":
        return new Reply(200, this.gitCommitJson(repository, this.commitSha(repository, tail)));
      case "POST git/commits":
        return this.createCommit(repository, body);
      case "GET git/trees":
        return this.getTree(repository, tail.join("/"), query.has("recursive"));
      case "POST git/trees":
        return this.createTree(repository, body);
      case "GET git/blobs":
        return this.getBlob(repository, tail.join("/"));
      case "GET compare":
        return this.compare(repository, tail.join("/"), query);
      case "GET pulls":
        if (tail.length === 0) return this.listPulls(repository, url);
        if (tail.length === 1)
          return new Reply(200, this.pullJson(repository, this.pull(repository, tail[0])));
        if (tail.length === 4 && tail[1] === "reviews" && tail[3] === "comments") {
          return this.listReviewComments(repository, this.pull(repository, tail[0]), tail[2], url);
        }
        throw failure(404, "Not Found");
      case "POST pulls":
        if (tail.length > 0) throw failure(404, "Not Found");
        return this.createPull(repository, body);
      case "PATCH pulls":
        if (tail.length !== 1) throw failure(404, "Not Found");
        return this.updatePull(repository, this.pull(repository, tail[0]), body);
      case "GET issues":
        if (tail.length === 2 && tail[1] === "comments") {
          return this.listComments(repository, tail[0], url);
        }
        return this.getIssue(repository, tail);
      case "POST issues":
        if (tail.length !== 2 || tail[1] !== "comments") throw failure(404, "Not Found");
        return this.createComment(repository, tail[0], body);
      case "PATCH issues":
        if (tail.length !== 2 || tail[0] !== "comments") throw failure(404, "Not Found");
        return this.updateComment(repository, tail[1], body);
      case "GET collaborators":
        if (tail.length !== 2 || tail[1] !== "permission") throw failure(404, "Not Found");
        return this.permission(repository, tail[0] as string);
      default:
        throw failure(404, "Not Found");
    }
  }

  private authenticate(authorization: string | undefined): void {
    // Private repositories: to a request without a token they do not exist.
    if (authorization === undefined) throw failure(404, "Not Found");
    const match = /^(?:token|bearer) (\S+)$/i.exec(authorization);
    if (match?.[1] !== this.token) throw failure(401, "Bad credentials");
  }

  private repositoryJson(repository: FakeRepository) {
    const fullName = `${repository.owner}/${repository.name}`;
    return {
      id: this.nextId++,
      name: repository.name,
      full_name: fullName,
      owner: { login: repository.owner, type: "Organization" },
      private: true,
      html_url: `${this.url}/${fullName}`,
      url: `${this.url}/repos/${fullName}`,
      default_branch: repository.defaultBranch,
      archived: repository.archived,
      permissions: {
        admin: false,
        maintain: false,
        push: repository.canPush,
        triage: true,
        pull: true,
      },
    };
  }

  private existingRef(repository: FakeRepository, tail: string[]): string {
    if (repository.refs.size === 0) throw failure(409, "Git Repository is empty.");
    const ref = `refs/${tail.join("/")}`;
    if (!repository.refs.has(ref)) throw failure(404, "Not Found");
    return ref;
  }

  private refJson(repository: FakeRepository, ref: string) {
    const sha = repository.refs.get(ref) as string;
    return {
      ref,
      node_id: `REF_${ref}`,
      url: `${this.repositoryUrl(repository)}/git/${ref}`,
      object: { sha, type: "commit", url: `${this.repositoryUrl(repository)}/git/commits/${sha}` },
    };
  }

  private createRef(repository: FakeRepository, body: unknown): Reply {
    const { ref, sha } = requireFields(body, { ref: "string", sha: "string" });
    if (!ref.startsWith("refs/") || ref.split("/").length < 3) {
      throw failure(422, "ref must start with 'refs/' and have at least two slashes.");
    }
    if (!isValidRefName(ref)) throw failure(422, `${ref} is not a valid ref name.`);
    if (repository.objects.get(sha)?.type !== "commit") throw failure(422, "Object does not exist");
    if (repository.refs.has(ref)) throw failure(422, "Reference already exists");
    repository.refs.set(ref, sha);
    this.refUpdates.push({ repository: this.fullNameOf(repository), ref, action: "create", sha });
    return new Reply(201, this.refJson(repository, ref));
  }

  private updateRef(repository: FakeRepository, ref: string, body: unknown): Reply {
    const { sha } = requireFields(body, { sha: "string" });
    const force = (body as { force?: unknown }).force;
    if (force !== undefined && typeof force !== "boolean") {
      throw invalid(`For 'properties/force', ${JSON.stringify(force)} is not a boolean.`);
    }
    const current = repository.refs.get(ref);
    if (current === undefined) throw failure(422, "Reference does not exist");
    if (repository.objects.get(sha)?.type !== "commit") throw failure(422, "Object does not exist");
    if (!force && !this.ancestors(repository, sha).has(current)) {
      throw failure(422, "Update is not a fast forward");
    }
    repository.refs.set(ref, sha);
    this.refUpdates.push({ repository: this.fullNameOf(repository), ref, action: "update", sha });
    return new Reply(200, this.refJson(repository, ref));
  }

  private deleteRef(repository: FakeRepository, ref: string): Reply {
    if (!repository.refs.has(ref)) throw failure(422, "Reference does not exist");
    repository.refs.delete(ref);
    this.refUpdates.push({ repository: this.fullNameOf(repository), ref, action: "delete" });
    return new Reply(204, undefined);
  }

  private commitSha(repository: FakeRepository, tail: string[]): string {
    const sha = tail.join("/");
    if (repository.objects.get(sha)?.type !== "commit") throw failure(404, "Not Found");
    return sha;
  }

  private gitCommitJson(repository: FakeRepository, sha: string) {
    const commit = this.commit(repository, sha);
    const base = this.repositoryUrl(repository);
    return {
      sha,
      node_id: `C_${sha}`,
      url: `${base}/git/commits/${sha}`,
      html_url: `${this.url}/${repository.owner}/${repository.name}/commit/${sha}`,
      author: commit.author,
      committer: commit.author,
      message: commit.message,
      tree: { sha: commit.tree, url: `${base}/git/trees/${commit.tree}` },
      parents: commit.parents.map((parent) => ({
        sha: parent,
        url: `${base}/git/commits/${parent}`,
      })),
      verification: { verified: false, reason: "unsigned", signature: null, payload: null },
    };
  }

  private createCommit(repository: FakeRepository, body: unknown): Reply {
    const { message, tree } = requireFields(body, { message: "string", tree: "string" });
    const parents = (body as { parents?: unknown }).parents ?? [];
    if (!Array.isArray(parents) || parents.some((parent) => typeof parent !== "string")) {
      throw invalid(
        `For 'properties/parents', ${JSON.stringify(parents)} is not an array of strings.`,
      );
    }
    if (repository.objects.get(tree)?.type !== "tree")
      throw failure(422, "Tree SHA does not exist");
    for (const parent of parents as string[]) {
      if (repository.objects.get(parent)?.type !== "commit") {
        throw failure(422, "Parent SHA does not exist or is not a commit object");
      }
    }
    const sha = this.storeCommit(repository, { tree, parents: parents as string[], message });
    return new Reply(201, this.gitCommitJson(repository, sha));
  }

  private getTree(repository: FakeRepository, treeish: string, recursive: boolean): Reply {
    const tree = this.resolveTree(repository, treeish);
    const base = this.repositoryUrl(repository);
    const entries: object[] = [];
    const list = (sha: string, prefix: string) => {
      for (const entry of this.treeEntries(repository, sha)) {
        entries.push({
          path: prefix + entry.name,
          mode: entry.mode,
          type: entry.type,
          sha: entry.sha,
          ...(entry.type === "blob" && { size: this.blob(repository, entry.sha).length }),
          url: `${base}/git/${entry.type === "tree" ? "trees" : "blobs"}/${entry.sha}`,
        });
        if (recursive && entry.type === "tree") list(entry.sha, `${prefix}${entry.name}/`);
      }
    };
    list(tree, "");
    const truncated = recursive && entries.length > this.maxRecursiveTreeEntries;
    return new Reply(200, {
      sha: tree,
      url: `${base}/git/trees/${tree}`,
      tree: truncated ? entries.slice(0, this.maxRecursiveTreeEntries) : entries,
      truncated,
    });
  }

  private createTree(repository: FakeRepository, body: unknown): Reply {
    const entries = (body as { tree?: unknown }).tree;
    if (!Array.isArray(entries)) throw invalid(`"tree" wasn't supplied.`);
    const baseTree = (body as { base_tree?: unknown }).base_tree;
    let files: FlatTree = new Map();
    if (baseTree !== undefined) {
      if (typeof baseTree !== "string" || repository.objects.get(baseTree)?.type !== "tree") {
        throw failure(422, "base_tree is not a valid tree oid");
      }
      files = this.flatten(repository, baseTree);
    }
    for (const entry of entries as unknown[]) files = this.applyTreeEntry(repository, files, entry);
    const sha = this.storeTree(repository, files);
    return new Reply(201, {
      sha,
      url: `${this.repositoryUrl(repository)}/git/trees/${sha}`,
      tree: this.treeEntries(repository, sha).map((entry) => ({
        path: entry.name,
        mode: entry.mode,
        type: entry.type,
        sha: entry.sha,
      })),
      truncated: false,
    });
  }

  private applyTreeEntry(repository: FakeRepository, files: FlatTree, entry: unknown): FlatTree {
    const { path, mode, type } = requireFields(entry, {
      path: "string",
      mode: "string",
      type: "string",
    });
    const { sha, content } = entry as { sha?: unknown; content?: unknown };
    if (!TREE_MODES.has(mode))
      throw invalid(
        `For 'properties/mode', "${mode}" is not one of ${[...TREE_MODES].join(", ")}.`,
      );
    if (!["blob", "tree", "commit"].includes(type))
      throw invalid(`For 'properties/type', "${type}" is not one of blob, tree, commit.`);
    if (path === "" || path.startsWith("/") || path.endsWith("/") || path.split("/").includes("")) {
      throw failure(422, `tree.path contains a malformed path component`);
    }
    if ((sha === undefined) === (content === undefined)) {
      throw failure(
        422,
        "Must supply either tree.sha or tree.content. Request will be rejected if both are present.",
      );
    }
    const under = (candidate: string) => candidate === path || candidate.startsWith(`${path}/`);
    if (sha === null) {
      if (![...files.keys()].some(under)) throw failure(422, "GitRPC::BadObjectState");
      for (const candidate of [...files.keys()]) if (under(candidate)) files.delete(candidate);
      return files;
    }
    if (content !== undefined) {
      if (typeof content !== "string" || type !== "blob") {
        throw invalid("For 'properties/content', a blob's content must be a string.");
      }
      place(files, path, { mode, sha: this.storeBlob(repository, content) });
    } else if (typeof sha !== "string" || !/^[0-9a-f]{40}$/.test(sha)) {
      throw invalid(`For 'properties/sha', ${JSON.stringify(sha)} is not a valid sha.`);
    } else if (type === "commit") {
      // A submodule's commit lives in another repository: any id will do.
      place(files, path, { mode, sha });
    } else if (repository.objects.get(sha)?.type !== type) {
      throw failure(422, `tree.sha ${sha} is not a valid ${type}`);
    } else if (type === "tree") {
      for (const [inner, file] of this.flatten(repository, sha))
        place(files, `${path}/${inner}`, file);
    } else {
      place(files, path, { mode, sha });
    }
    return files;
  }

  private getBlob(repository: FakeRepository, sha: string): Reply {
    if (repository.objects.get(sha)?.type !== "blob") throw failure(404, "Not Found");
    const content = this.blob(repository, sha);
    return new Reply(200, {
      sha,
      node_id: `B_${sha}`,
      size: content.length,
      url: `${this.repositoryUrl(repository)}/git/blobs/${sha}`,
      // GitHub wraps the base64 at 60 characters.
      content: (content.toString("base64").match(/.{1,60}/g) ?? []).join("\n") + "\n",
      encoding: "base64",
    });
  }

  private compare(repository: FakeRepository, basehead: string, query: URLSearchParams): Reply {
    const [baseName, headName, ...extra] = basehead.split("...");
    if (!baseName || !headName || extra.length > 0) throw failure(404, "Not Found");
    const base = this.resolveCommit(repository, baseName);
    const head = this.resolveCommit(repository, headName);
    const fromBase = this.ancestors(repository, base);
    const fromHead = this.ancestors(repository, head);
    const mergeBase = [...fromHead].find((sha) => fromBase.has(sha));
    if (mergeBase === undefined) {
      throw failure(404, `No common ancestor between ${baseName} and ${headName}.`);
    }
    const ahead = [...fromHead].filter((sha) => !fromBase.has(sha)).reverse();
    const behind = [...fromBase].filter((sha) => !fromHead.has(sha));
    const perPage = Number(query.get("per_page") ?? 250);
    const status =
      ahead.length === 0 && behind.length === 0
        ? "identical"
        : behind.length === 0
          ? "ahead"
          : ahead.length === 0
            ? "behind"
            : "diverged";
    return new Reply(200, {
      url: `${this.repositoryUrl(repository)}/compare/${basehead}`,
      html_url: `${this.url}/${repository.owner}/${repository.name}/compare/${basehead}`,
      base_commit: this.commitJson(repository, base),
      merge_base_commit: this.commitJson(repository, mergeBase),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: ahead.slice(0, perPage).map((sha) => this.commitJson(repository, sha)),
      // Amelia diffs trees itself; the fake does not list changed files.
      files: [],
    });
  }

  private listPulls(repository: FakeRepository, url: URL): Reply {
    const state = url.searchParams.get("state") ?? "open";
    const head = url.searchParams.get("head");
    const pulls = repository.pulls.filter(
      (pull) =>
        (state === "all" || pull.state === state) &&
        (head === null || head === `${repository.owner}:${pull.head}`),
    );
    return paginate(url, pulls, (pull) => this.pullJson(repository, pull));
  }

  private createPull(repository: FakeRepository, body: unknown): Reply {
    const { title, head, base } = requireFields(body, {
      title: "string",
      head: "string",
      base: "string",
    });
    const pullBody = (body as { body?: unknown }).body;
    if (pullBody !== undefined && typeof pullBody !== "string")
      throw invalid(`For 'properties/body', ${JSON.stringify(pullBody)} is not a string.`);
    const headBranch = head.includes(":") ? head.slice(head.indexOf(":") + 1) : head;
    const validationFailed = (error: object) => validationFailure("PullRequest", error);
    const headTip = repository.refs.get(`refs/heads/${headBranch}`);
    const baseTip = repository.refs.get(`refs/heads/${base}`);
    if (headTip === undefined) throw validationFailed({ field: "head", code: "invalid" });
    if (baseTip === undefined) throw validationFailed({ field: "base", code: "invalid" });
    const baseHistory = this.ancestors(repository, baseTip);
    if ([...this.ancestors(repository, headTip)].every((sha) => baseHistory.has(sha))) {
      throw validationFailed({
        code: "custom",
        message: `No commits between ${base} and ${headBranch}`,
      });
    }
    if (
      repository.pulls.some(
        (pull) => pull.state === "open" && pull.head === headBranch && pull.base === base,
      )
    ) {
      throw validationFailed({
        code: "custom",
        message: `A pull request already exists for ${repository.owner}:${headBranch}.`,
      });
    }
    const pull: FakePullRequest = {
      number: repository.nextNumber++,
      title,
      body: pullBody ?? null,
      head: headBranch,
      base,
      state: "open",
      author: this.authenticatedUser,
    };
    repository.pulls.push(pull);
    return new Reply(201, this.pullJson(repository, pull));
  }

  private updatePull(repository: FakeRepository, pull: FakePullRequest, body: unknown): Reply {
    const changes = optionalFields(body, { title: "string", body: "string", state: "string" });
    const { state } = changes;
    if (state !== undefined && state !== "open" && state !== "closed") {
      throw invalid(`For 'properties/state', "${state}" is not one of open, closed.`);
    }
    pull.title = changes.title ?? pull.title;
    pull.body = changes.body ?? pull.body;
    pull.state = state ?? pull.state;
    return new Reply(200, this.pullJson(repository, pull));
  }

  private pull(repository: FakeRepository, number: string | undefined): FakePullRequest {
    const pull = repository.pulls.find((candidate) => String(candidate.number) === number);
    if (!pull) throw failure(404, "Not Found");
    return pull;
  }

  private pullJson(repository: FakeRepository, pull: FakePullRequest) {
    const fullName = `${repository.owner}/${repository.name}`;
    const side = (ref: string) => ({
      label: `${repository.owner}:${ref}`,
      ref,
      sha: repository.refs.get(`refs/heads/${ref}`),
    });
    return {
      id: this.nextId++,
      number: pull.number,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      draft: false,
      url: `${this.url}/repos/${fullName}/pulls/${pull.number}`,
      html_url: `${this.url}/${fullName}/pull/${pull.number}`,
      issue_url: `${this.url}/repos/${fullName}/issues/${pull.number}`,
      comments_url: `${this.url}/repos/${fullName}/issues/${pull.number}/comments`,
      user: this.userJson(pull.author),
      author_association: this.authorAssociation(repository, pull.author.login),
      head: side(pull.head),
      base: side(pull.base),
      // The fake does not merge: a closed pull request was closed unmerged.
      merged: false,
      merged_at: null,
    };
  }

  private listReviewComments(
    repository: FakeRepository,
    pull: FakePullRequest,
    reviewId: string | undefined,
    url: URL,
  ): Reply {
    const review = repository.reviews.find(
      (candidate) => candidate.pullNumber === pull.number && String(candidate.id) === reviewId,
    );
    if (!review) throw failure(404, "Not Found");
    const pullUrl = `${this.repositoryUrl(repository)}/pulls/${pull.number}`;
    return paginate(url, review.comments, (comment) => {
      const commentUrl = `${this.repositoryUrl(repository)}/pulls/comments/${comment.id}`;
      const htmlUrl = `${this.htmlUrl(repository)}/pull/${pull.number}#discussion_r${comment.id}`;
      const line = comment.line ?? null;
      // The commented line closes its hunk: its position in the diff is the hunk's length.
      const position = line === null ? null : comment.diffHunk.split("\n").length - 1;
      return {
        url: commentUrl,
        pull_request_review_id: review.id,
        id: comment.id,
        node_id: nodeId("PRRC_", comment.id),
        diff_hunk: comment.diffHunk,
        path: comment.path,
        position,
        original_position: position,
        commit_id: review.commitId,
        original_commit_id: review.commitId,
        user: this.userJson(review.author),
        body: comment.body,
        created_at: review.submittedAt,
        updated_at: review.submittedAt,
        html_url: htmlUrl,
        pull_request_url: pullUrl,
        author_association: this.authorAssociation(repository, review.author.login),
        _links: {
          self: { href: commentUrl },
          html: { href: htmlUrl },
          pull_request: { href: pullUrl },
        },
        start_line: null,
        original_start_line: null,
        start_side: null,
        line,
        original_line: line,
        side: line === null ? null : "RIGHT",
        subject_type: line === null ? "file" : "line",
      };
    });
  }

  private listComments(repository: FakeRepository, number: string | undefined, url: URL): Reply {
    const issueNumber = this.issueNumber(repository, number);
    return paginate(
      url,
      repository.comments.filter((comment) => comment.issueNumber === issueNumber),
      (comment) => this.commentJson(repository, comment),
    );
  }

  private createComment(
    repository: FakeRepository,
    number: string | undefined,
    body: unknown,
  ): Reply {
    const issueNumber = this.issueNumber(repository, number);
    const comment = this.storeComment(repository, issueNumber, {
      ...this.authenticatedUser,
      body: commentBody(body),
    });
    return new Reply(201, this.commentJson(repository, comment));
  }

  private updateComment(repository: FakeRepository, id: string | undefined, body: unknown): Reply {
    const comment = repository.comments.find((candidate) => String(candidate.id) === id);
    if (!comment) throw failure(404, "Not Found");
    const mine = comment.author.login.toLowerCase() === this.authenticatedUser.login.toLowerCase();
    // Editing someone else's comment takes write access.
    if (!mine && !repository.canPush) {
      throw failure(403, "Resource not accessible by personal access token");
    }
    comment.history.push(commentBody(body));
    comment.updatedAt = timestamp();
    return new Reply(200, this.commentJson(repository, comment));
  }

  private storeComment(
    repository: FakeRepository,
    issueNumber: number,
    comment: GitHubAccount & { body: string },
  ): StoredComment {
    const now = timestamp();
    const stored: StoredComment = {
      id: this.nextId++,
      issueNumber,
      author: { login: comment.login, type: comment.type },
      history: [comment.body],
      createdAt: now,
      updatedAt: now,
    };
    repository.comments.push(stored);
    return stored;
  }

  private commentJson(repository: FakeRepository, comment: StoredComment): IssueCommentJson {
    const isPull = repository.pulls.some((pull) => pull.number === comment.issueNumber);
    const issuePage = `${this.htmlUrl(repository)}/${isPull ? "pull" : "issues"}/${comment.issueNumber}`;
    return {
      id: comment.id,
      node_id: nodeId("IC_", comment.id),
      url: `${this.repositoryUrl(repository)}/issues/comments/${comment.id}`,
      html_url: `${issuePage}#issuecomment-${comment.id}`,
      issue_url: `${this.repositoryUrl(repository)}/issues/${comment.issueNumber}`,
      body: comment.history[comment.history.length - 1] as string,
      user: this.userJson(comment.author),
      author_association: this.authorAssociation(repository, comment.author.login),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      performed_via_github_app: null,
    };
  }

  /**
   * GitHub answers 200 with `none` for a user without access and 404 for a login that is no
   * user. The fake knows no users besides those given a role: a login never given one is
   * answered as GitHub answers an unknown login (404), so a client must read both as "no access".
   */
  private permission(repository: FakeRepository, login: string): Reply {
    if (!repository.canPush) {
      throw failure(403, "Must have push access to view collaborator permission.");
    }
    const role = repository.roles.get(login.toLowerCase());
    if (role === undefined) throw failure(404, "Not Found");
    const user = { ...this.userJson({ login, type: "User" }), role_name: role };
    return new Reply(200, { permission: PERMISSION_OF_ROLE[role], role_name: role, user });
  }

  private userJson(user: GitHubAccount): UserJson {
    let id = this.userIds.get(user.login.toLowerCase());
    if (id === undefined) {
      id = this.nextId++;
      this.userIds.set(user.login.toLowerCase(), id);
    }
    return {
      login: user.login,
      id,
      node_id: nodeId(user.type === "Bot" ? "BOT_" : "U_", id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: "",
      url: `${this.url}/users/${user.login}`,
      html_url: `${this.url}/${user.login}`,
      type: user.type,
      site_admin: false,
    };
  }

  private authorAssociation(repository: FakeRepository, login: string): AuthorAssociation {
    if (login.toLowerCase() === repository.owner.toLowerCase()) return "OWNER";
    const role = repository.roles.get(login.toLowerCase());
    return role === undefined || role === "none" ? "NONE" : "COLLABORATOR";
  }

  /** The number of an existing issue or pull request; 404 otherwise. */
  private issueNumber(repository: FakeRepository, number: string | undefined): number {
    if (!hasIssueOrPull(repository, Number(number))) throw failure(404, "Not Found");
    return Number(number);
  }

  private existingIssueOrPull(repository: FakeRepository, number: number, fullName: string): void {
    if (!hasIssueOrPull(repository, number)) {
      throw new Error(`No issue or pull request #${number} in ${fullName}`);
    }
  }

  private getIssue(repository: FakeRepository, tail: string[]): Reply {
    const number = Number(tail[0]);
    const issue = repository.issues.get(number);
    const pull = repository.pulls.find((candidate) => candidate.number === number);
    if (tail.length !== 1 || (!issue && !pull)) throw failure(404, "Not Found");
    const fullName = `${repository.owner}/${repository.name}`;
    return new Reply(200, {
      id: this.nextId++,
      number,
      state: pull?.state ?? "open",
      title: issue?.title ?? pull?.title,
      body: issue ? issue.body : (pull?.body ?? null),
      html_url: `${this.url}/${fullName}/${pull ? "pull" : "issues"}/${number}`,
      url: `${this.url}/repos/${fullName}/issues/${number}`,
      user: { login: "octocat" },
      labels: [],
      ...(pull && { pull_request: { url: `${this.url}/repos/${fullName}/pulls/${number}` } }),
    });
  }

  private commitJson(repository: FakeRepository, sha: string) {
    const commit = this.commit(repository, sha);
    return {
      sha,
      commit: {
        message: commit.message,
        author: commit.author,
        committer: commit.author,
        tree: { sha: commit.tree },
      },
      parents: commit.parents.map((parent) => ({ sha: parent })),
    };
  }

  private repository(fullName: string): FakeRepository {
    const repository = this.repositories.get(fullName.toLowerCase());
    if (!repository) throw new Error(`No fake repository ${fullName}`);
    return repository;
  }

  private fullNameOf(repository: FakeRepository): string {
    return `${repository.owner}/${repository.name}`.toLowerCase();
  }

  private repositoryUrl(repository: FakeRepository): string {
    return `${this.url}/repos/${repository.owner}/${repository.name}`;
  }

  /** The repository's page (GitHub's `html_url`). */
  private htmlUrl(repository: FakeRepository): string {
    return `${this.url}/${repository.owner}/${repository.name}`;
  }

  /** A branch name or a commit sha, as compare and trees accept them. */
  private resolveCommit(repository: FakeRepository, name: string): string {
    const sha = repository.refs.get(`refs/heads/${name}`) ?? name;
    if (repository.objects.get(sha)?.type !== "commit") throw failure(404, "Not Found");
    return sha;
  }

  private resolveTree(repository: FakeRepository, treeish: string): string {
    const object = repository.objects.get(treeish);
    if (object?.type === "tree") return treeish;
    const commit = repository.refs.get(`refs/heads/${treeish}`) ?? treeish;
    if (repository.objects.get(commit)?.type !== "commit") throw failure(404, "Not Found");
    return this.commit(repository, commit).tree;
  }

  /** Every commit reachable from `sha`, nearest first. */
  private ancestors(repository: FakeRepository, sha: string): Set<string> {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...this.commit(repository, next).parents);
    }
    return seen;
  }

  private commit(repository: FakeRepository, sha: string): CommitObject {
    const object = repository.objects.get(sha);
    if (object?.type !== "commit") throw new Error(`${sha} is not a commit`);
    return object;
  }

  private blob(repository: FakeRepository, sha: string): Buffer {
    const object = repository.objects.get(sha);
    if (object?.type !== "blob") throw new Error(`${sha} is not a blob`);
    return object.content;
  }

  private treeEntries(repository: FakeRepository, sha: string): TreeEntry[] {
    const object = repository.objects.get(sha);
    if (object?.type !== "tree") throw new Error(`${sha} is not a tree`);
    return object.entries;
  }

  private flatten(
    repository: FakeRepository,
    tree: string,
    prefix = "",
    into: FlatTree = new Map(),
  ): FlatTree {
    for (const entry of this.treeEntries(repository, tree)) {
      if (entry.type === "tree")
        this.flatten(repository, entry.sha, `${prefix}${entry.name}/`, into);
      else into.set(prefix + entry.name, { mode: entry.mode, sha: entry.sha });
    }
    return into;
  }

  private storeBlob(repository: FakeRepository, content: string | Buffer): string {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const sha = blobSha(bytes);
    repository.objects.set(sha, { type: "blob", content: bytes });
    return sha;
  }

  /** Stores the tree of `files` and its subtrees in git's format; the root tree's sha. */
  private storeTree(repository: FakeRepository, files: FlatTree): string {
    const children = new Map<string, FlatTree>();
    const entries: TreeEntry[] = [];
    for (const [path, file] of files) {
      const slash = path.indexOf("/");
      if (slash < 0) {
        entries.push({
          name: path,
          mode: file.mode,
          type: file.mode === "160000" ? "commit" : "blob",
          sha: file.sha,
        });
        continue;
      }
      const directory = path.slice(0, slash);
      const inner = children.get(directory) ?? new Map();
      inner.set(path.slice(slash + 1), file);
      children.set(directory, inner);
    }
    for (const [name, inner] of children) {
      entries.push({ name, mode: "040000", type: "tree", sha: this.storeTree(repository, inner) });
    }
    // git orders entries by name, a directory's name as if it ended in "/".
    const key = (entry: TreeEntry) =>
      Buffer.from(entry.type === "tree" ? `${entry.name}/` : entry.name);
    entries.sort((a, b) => Buffer.compare(key(a), key(b)));
    const body = Buffer.concat(
      entries.map((entry) =>
        Buffer.concat([
          Buffer.from(`${entry.mode.replace(/^0/, "")} ${entry.name}\0`),
          Buffer.from(entry.sha, "hex"),
        ]),
      ),
    );
    const sha = gitObjectSha("tree", body);
    repository.objects.set(sha, { type: "tree", entries });
    return sha;
  }

  private storeCommit(
    repository: FakeRepository,
    commit: { tree: string; parents: string[]; message: string },
  ): string {
    const date = new Date();
    const author = { name: "Octo Cat", email: "octocat@example.com", date: date.toISOString() };
    const signature = `${author.name} <${author.email}> ${Math.floor(date.getTime() / 1000)} +0000`;
    const body = [
      `tree ${commit.tree}`,
      ...commit.parents.map((parent) => `parent ${parent}`),
      `author ${signature}`,
      `committer ${signature}`,
      "",
      commit.message,
    ].join("\n");
    const sha = gitObjectSha("commit", Buffer.from(body));
    repository.objects.set(sha, { type: "commit", ...commit, author });
    return sha;
  }
}

export interface StartOptions {
  token?: string;
  /** The token's user (default `amelia-bot`, a `Bot`). */
  user?: { login: string; type?: UserType };
}

export type UserType = "User" | "Bot" | "Organization";

export interface GitHubAccount {
  login: string;
  type: UserType;
}

/** A role on a repository, as GitHub's `role_name` names it; `none`: no access. */
export type RepositoryRole = "admin" | "maintain" | "write" | "triage" | "read" | "none";

type AuthorAssociation = "OWNER" | "COLLABORATOR" | "NONE";

/** A user as GitHub shows one in a comment, a review or a pull request. */
export interface UserJson {
  login: string;
  id: number;
  node_id: string;
  avatar_url: string;
  gravatar_id: string;
  url: string;
  html_url: string;
  type: UserType;
  site_admin: boolean;
}

/** An issue comment, as the REST API and the `issue_comment` webhook show it. */
export interface IssueCommentJson {
  id: number;
  node_id: string;
  url: string;
  html_url: string;
  issue_url: string;
  body: string;
  user: UserJson;
  author_association: AuthorAssociation;
  created_at: string;
  updated_at: string;
  performed_via_github_app: null;
}

/** A comment as it stands, with every body it had (the first one first; `body` is the last). */
export interface FakeIssueComment {
  id: number;
  author: GitHubAccount;
  body: string;
  history: string[];
}

export interface ReviewSpec {
  login: string;
  type?: UserType;
  state: "CHANGES_REQUESTED" | "APPROVED" | "COMMENTED";
  body?: string | null;
  /** Comments on a line of a head file, or (without `line`) on the whole file. */
  comments?: { path: string; line?: number; body: string }[];
}

/** A submitted review as the `pull_request_review` webhook's `review` has it. */
export interface ReviewJson {
  id: number;
  node_id: string;
  user: UserJson;
  body: string | null;
  commit_id: string;
  submitted_at: string;
  state: "changes_requested" | "approved" | "commented";
  html_url: string;
  pull_request_url: string;
  author_association: AuthorAssociation;
  _links: { html: { href: string }; pull_request: { href: string } };
}

export interface RepositoryOptions {
  /** The first commit's files; without any the repository is empty (no commits). */
  files?: Record<string, FileSpec>;
  defaultBranch?: string;
  /** Whether the token may push (GitHub's `permissions.push`). */
  canPush?: boolean;
  archived?: boolean;
}

/** A file's content, or its content and mode (`100755` executable, `120000` symlink). */
export type FileSpec = string | { content: string | Buffer; mode?: string };

export interface RecordedRequest {
  method: string;
  /** Decoded path segments joined with `/`, without the leading one. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body?: unknown;
}

/** A ref changed through the API (`repository` in lower case). */
export interface RefUpdate {
  repository: string;
  ref: string;
  action: "create" | "update" | "delete";
  sha?: string;
}

export interface FakePullRequest {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: "open" | "closed";
  author: GitHubAccount;
}

interface StoredComment {
  id: number;
  /** The issue's or pull request's. */
  issueNumber: number;
  author: GitHubAccount;
  /** Every body it had, the current one last. */
  history: string[];
  createdAt: string;
  updatedAt: string;
}

interface StoredReview {
  id: number;
  pullNumber: number;
  author: GitHubAccount;
  state: ReviewSpec["state"];
  body: string | null;
  commitId: string;
  submittedAt: string;
  comments: StoredReviewComment[];
}

interface StoredReviewComment {
  id: number;
  path: string;
  line?: number;
  body: string;
  diffHunk: string;
}

interface FakeRepository {
  owner: string;
  name: string;
  defaultBranch: string;
  canPush: boolean;
  archived: boolean;
  objects: Map<string, GitObject>;
  /** Full ref name (`refs/heads/main`) → commit sha. */
  refs: Map<string, string>;
  issues: Map<number, { title: string; body: string | null }>;
  pulls: FakePullRequest[];
  /** The comments on its issues and pull requests, oldest first. */
  comments: StoredComment[];
  reviews: StoredReview[];
  /** Lower-case login → the role given with `setPermission`. */
  roles: Map<string, RepositoryRole>;
  /** Issues and pull requests share one sequence of numbers. */
  nextNumber: number;
}

interface TreeEntry {
  name: string;
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
}

interface CommitObject {
  type: "commit";
  tree: string;
  parents: string[];
  message: string;
  author: { name: string; email: string; date: string };
}

type GitObject =
  { type: "blob"; content: Buffer } | { type: "tree"; entries: TreeEntry[] } | CommitObject;

type FlatTree = Map<string, { mode: string; sha: string }>;

const DOCS = "https://docs.github.com/rest";
const TREE_MODES = new Set(["100644", "100755", "040000", "160000", "120000"]);
const MAX_COMMENT_LENGTH = 65_536;

/** GitHub's legacy `permission`: maintain counts as write, triage as read. */
const PERMISSION_OF_ROLE: Record<RepositoryRole, "admin" | "write" | "read" | "none"> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

/** A response to send; thrown from deep inside a route for GitHub's error answers. */
class Reply extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * One page of a list, as GitHub serves them: `per_page` (default 30, at most 100) and `page`
 * (from 1), with a `link` header to the previous, next, last and first pages that exist.
 */
function paginate<T>(url: URL, items: readonly T[], toJson: (item: T) => unknown): Reply {
  const perPage = Math.min(Math.max(Number(url.searchParams.get("per_page")) || 30, 1), 100);
  const page = Math.max(Number(url.searchParams.get("page")) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (target: number, rel: string) => {
    const pageUrl = new URL(url);
    pageUrl.searchParams.set("page", String(target));
    return `<${pageUrl.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page > 1 ? [link(page - 1, "prev")] : []),
    ...(page < last ? [link(page + 1, "next"), link(last, "last")] : []),
    ...(page > 1 ? [link(1, "first")] : []),
  ];
  const body = items.slice((page - 1) * perPage, page * perPage).map(toJson);
  return new Reply(200, body, links.length > 0 ? { link: links.join(", ") } : {});
}

function hasIssueOrPull(repository: FakeRepository, number: number): boolean {
  return repository.issues.has(number) || repository.pulls.some((pull) => pull.number === number);
}

/** GitHub's timestamps: ISO 8601 to the second. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** An opaque global node id of the given kind (`IC_` an issue comment, `PRR_` a review...). */
function nodeId(kind: string, id: number): string {
  return `${kind}${Buffer.from(`fake:${id}`).toString("base64url")}`;
}

/**
 * The hunk GitHub shows above a review comment, approximated: the head file's lines up to the
 * commented one (the first four for a comment on the whole file), as context.
 */
function diffHunk(lines: string[], line: number | undefined): string {
  const end = line ?? Math.min(lines.length, 4);
  const start = Math.max(end - 3, 1);
  const count = end - start + 1;
  return [
    `@@ -${start},${count} +${start},${count} @@`,
    ...lines.slice(start - 1, end).map((text) => ` ${text}`),
  ].join("\n");
}

/** A comment's body, checked as GitHub checks one. */
function commentBody(body: unknown): string {
  const text = requireFields(body, { body: "string" }).body;
  if (text.trim() === "") {
    throw validationFailure("IssueComment", { field: "body", code: "missing_field" });
  }
  if (text.length > MAX_COMMENT_LENGTH) {
    throw validationFailure("IssueComment", {
      field: "body",
      code: "custom",
      message: `body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`,
    });
  }
  return text;
}

/** GitHub's answer to a body that fits the schema but not the resource's rules. */
function validationFailure(resource: string, error: object): Reply {
  return new Reply(422, {
    message: "Validation Failed",
    errors: [{ resource, ...error }],
    documentation_url: DOCS,
    status: "422",
  });
}

/** Puts a file at `path`, replacing whatever stood there or on the way (a file or a directory). */
function place(files: FlatTree, path: string, file: { mode: string; sha: string }): void {
  const segments = path.split("/");
  for (let depth = 1; depth < segments.length; depth++)
    files.delete(segments.slice(0, depth).join("/"));
  for (const existing of [...files.keys()])
    if (existing.startsWith(`${path}/`)) files.delete(existing);
  files.set(path, file);
}

function failure(status: number, message: string): Reply {
  return new Reply(status, { message, documentation_url: DOCS, status: String(status) });
}

/** GitHub's answer to a body that does not match the endpoint's schema. */
function invalid(detail: string): Reply {
  return failure(422, `Invalid request.\n\n${detail}`);
}

type FieldTypes = Record<string, "string">;

function requireFields<T extends FieldTypes>(body: unknown, fields: T): { [K in keyof T]: string } {
  const values = optionalFields(body, fields);
  for (const field of Object.keys(fields)) {
    if (values[field] === undefined) throw invalid(`"${field}" wasn't supplied.`);
  }
  return values as { [K in keyof T]: string };
}

function optionalFields<T extends FieldTypes>(
  body: unknown,
  fields: T,
): { [K in keyof T]?: string } {
  if (typeof body !== "object" || body === null) throw invalid("The body is not a JSON object.");
  for (const [field, type] of Object.entries(fields)) {
    const value = (body as Record<string, unknown>)[field];
    if (value !== undefined && typeof value !== type)
      throw invalid(`For 'properties/${field}', ${JSON.stringify(value)} is not a ${type}.`);
  }
  return body as { [K in keyof T]?: string };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  if (!/^application\/json\b/.test(request.headers["content-type"] ?? "")) {
    throw failure(415, "Unsupported 'Content-Type' header.");
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw failure(400, "Problems parsing JSON");
  }
}

/** git check-ref-format's rules. */
function isValidRefName(ref: string): boolean {
  const control = [...ref].some((char) => char <= " " || char === "\x7f");
  if (control || /[~^:?*[\\]|\.\.|@\{|\/\/|\/$|\.$/.test(ref) || ref === "@") return false;
  return ref
    .split("/")
    .every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}
