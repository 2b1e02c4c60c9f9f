import { Octokit } from "@octokit/rest";
import { DEFAULT_GITHUB_API_URL } from "../config";
import { invalidField } from "../errors";
import { logger } from "../logger";
import { readSecret } from "../secrets";

export interface GitHubConnectionOptions {
  /** The REST API's base URL: GitHub Enterprise Server, or a fake in tests. */
  apiUrl?: string;
  /** Where the token comes from; by default the `githubToken` secret, read at every call. */
  token?: () => Promise<string | undefined>;
}

/**
 * Authenticated access to the GitHub REST API. The token is read on every use, so a rotated
 * secret is picked up without a restart; it never leaves the client (Octokit redacts it from
 * its errors).
 */
export class GitHubConnection {
  readonly apiUrl: string;
  private readonly token: () => Promise<string | undefined>;
  private cached: { token: string; client: Octokit } | undefined;

  constructor(options: GitHubConnectionOptions = {}) {
    this.apiUrl = (options.apiUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");
    this.token = options.token ?? (() => readSecret("githubToken"));
  }

  /** A client with the current token, or undefined when no token is configured. */
  async client(): Promise<Octokit | undefined> {
    const token = await this.token();
    if (token === undefined) return undefined;
    if (this.cached?.token !== token) {
      this.cached = {
        token,
        client: new Octokit({
          auth: token,
          baseUrl: this.apiUrl,
          userAgent: "amelia",
          log: {
            debug: () => undefined,
            info: () => undefined,
            warn: (message: string) => logger.warn(message),
            error: (message: string) => logger.error(message),
          },
        }),
      };
    }
    return this.cached.client;
  }
}

/** The HTTP status of a failed GitHub request, or undefined for any other error. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return error instanceof Error && typeof status === "number" ? status : undefined;
}

/**
 * Turns GitHub's "no such thing" (404, 410) and "bad token" (401) answers to a lookup of the
 * person's input into a ValidationError on `field`; rethrows any other error as it is.
 */
export function refusedInput(error: unknown, field: string, notFound: string): never {
  const status = httpStatusOf(error);
  if (status === 404 || status === 410) throw invalidField(field, notFound);
  if (status === 401) throw invalidField(field, "GitHub rejected the configured token");
  throw error;
}
