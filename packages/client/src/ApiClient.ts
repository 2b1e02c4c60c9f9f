import { ApiError, ApiUnreachableError } from "./ApiError";
import type {
  CreateWorkflowInput,
  EventPage,
  Health,
  Workflow,
  WorkflowDiff,
  WorkflowEvent,
  WorkflowPage,
  WorkflowStatus,
} from "./types";

/** The largest page the list route serves. */
const LARGEST_PAGE = 100;
/** A page a person reads. */
const DEFAULT_PAGE = 50;

export interface ApiClientOptions {
  /** The server's base URL without a trailing slash (`/api/...` is appended); "" for this host. */
  baseUrl: string;
  /** Read before each request: the token may change. */
  token?: () => string | undefined;
  /**
   * Called when the server wants a (new) token; resolves true once there is one to try, and the
   * request is sent once more with it.
   */
  renewToken?: () => Promise<boolean>;
  /** Longest wait for one answer; none by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** One request's answer, whatever its status. */
export interface Answer<T = unknown> {
  status: number;
  /** The parsed JSON; undefined when the body was empty. */
  body: T;
}

/** One request's answer as the server sent it. */
interface TextAnswer {
  status: number;
  text: string;
}

/** The HTTP API of the contract. Every failure is an ApiError. */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch ?? ((...args) => fetch(...args));
  }

  health(): Promise<Health> {
    return this.request("GET", "/api/health");
  }

  listWorkflows(
    options: { status?: WorkflowStatus; cursor?: string; limit?: number } = {},
  ): Promise<WorkflowPage> {
    const query = new URLSearchParams({ limit: String(options.limit ?? DEFAULT_PAGE) });
    if (options.status) query.set("status", options.status);
    if (options.cursor) query.set("cursor", options.cursor);
    return this.request("GET", `/api/workflows?${query}`);
  }

  /** Every stored workflow, newest first, one page after another. */
  async allWorkflows(): Promise<Workflow[]> {
    const all: Workflow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listWorkflows({ limit: LARGEST_PAGE, ...(cursor && { cursor }) });
      all.push(...page.workflows);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  }

  activeWorkflows(): Promise<WorkflowPage> {
    return this.request("GET", "/api/workflows/active");
  }

  getWorkflow(id: string): Promise<Workflow> {
    return this.request("GET", workflowPath(id));
  }

  /** The events with a sequence above `since`, page by page, in order. */
  async *events(id: string, since = 0): AsyncGenerator<WorkflowEvent[]> {
    let cursor: number | undefined = since;
    while (cursor !== undefined) {
      const page = await this.eventPage(id, cursor);
      yield page.events;
      cursor = page.nextSince;
    }
  }

  /**
   * The event numbered `sequence`, or undefined when there is none: how a client reads an event
   * too large for one WebSocket message (an `event_reference`).
   */
  async event(id: string, sequence: number): Promise<WorkflowEvent | undefined> {
    if (!Number.isSafeInteger(sequence) || sequence < 1) {
      throw new RangeError(`An event sequence is a positive integer, not ${sequence}`);
    }
    const page = await this.eventPage(id, sequence - 1, 1);
    return page.events.find((event) => event.sequence === sequence);
  }

  /** What a developer round changed against the base commit; the latest round by default. */
  diff(id: string, round?: number): Promise<WorkflowDiff> {
    const query = round === undefined ? "" : `?round=${round}`;
    return this.request("GET", workflowPath(id, `/diff${query}`));
  }

  createWorkflow(input: CreateWorkflowInput): Promise<Workflow> {
    return this.request("POST", "/api/workflows", input);
  }

  approve(id: string): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/approve"), {});
  }

  reject(id: string, feedback: string): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/reject"), { feedback });
  }

  cancel(id: string, reason?: string): Promise<Workflow> {
    return this.request(
      "POST",
      workflowPath(id, "/cancel"),
      reason === undefined ? {} : { reason },
    );
  }

  /**
   * Raises what the workflow may spend (US dollars); at the budget gate the stage that stopped
   * then continues where it stopped.
   */
  raiseBudget(id: string, budgetUsd: number): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/budget"), { budgetUsd });
  }

  /** Continues a failed workflow from the stage that failed. */
  resume(id: string): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/resume"), {});
  }

  /**
   * The whole log of one check of a checks run, as text: `index` is the check's `data.index` in
   * its `check_completed` event, which quotes only the end of it.
   */
  async checkLog(id: string, runId: string, index: number): Promise<string> {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new RangeError(`A check's index is a non-negative integer, not ${index}`);
    }
    const path = workflowPath(id, `/checks/${encodeURIComponent(runId)}/${index}/log`);
    const { status, text } = await this.exchangeText("GET", path, undefined, "text/plain");
    if (status < 200 || status > 299) throw ApiError.fromAnswer(status, jsonOrUndefined(text));
    return text;
  }

  /**
   * Sends one request and returns the answer whatever its status (for callers that look at
   * error answers themselves). `body` goes as JSON; `rawBody` goes as written, as JSON.
   */
  async exchange<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { rawBody?: string } = {},
  ): Promise<Answer<T>> {
    const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    const { status, text } = await this.exchangeText(method, path, payload, "application/json");
    if (text === "") return { status, body: undefined as T };
    try {
      return { status, body: JSON.parse(text) as T };
    } catch {
      throw ApiError.notJson(status);
    }
  }

  /** Sends one request, and once more with a new token when the server wants one. */
  private async exchangeText(
    method: string,
    path: string,
    payload: string | undefined,
    accept: string,
  ): Promise<TextAnswer> {
    let answer = await this.send(method, path, payload, accept);
    if (this.options.renewToken && refusesToken(answer) && (await this.options.renewToken())) {
      answer = await this.send(method, path, payload, accept);
    }
    return answer;
  }

  private eventPage(id: string, since: number, limit?: number): Promise<EventPage> {
    const query = new URLSearchParams({ since: String(since) });
    if (limit !== undefined) query.set("limit", String(limit));
    return this.request("GET", `${workflowPath(id, "/events")}?${query}`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.exchange<T>(method, path, body);
    if (status < 200 || status > 299) throw ApiError.fromAnswer(status, answer);
    if (answer === undefined) throw ApiError.notJson(status);
    return answer;
  }

  private async send(
    method: string,
    path: string,
    payload: string | undefined,
    accept: string,
  ): Promise<TextAnswer> {
    const token = this.options.token?.();
    let text: string;
    let status: number;
    try {
      const response = await this.fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers: {
          accept,
          ...(payload !== undefined && { "content-type": "application/json" }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        ...(payload !== undefined && { body: payload }),
        ...(this.options.timeoutMs !== undefined && {
          signal: AbortSignal.timeout(this.options.timeoutMs),
        }),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new ApiUnreachableError(this.options.baseUrl, failureReason(error));
    }
    return { status, text };
  }
}

function refusesToken({ status, text }: TextAnswer): boolean {
  return status >= 400 && ApiError.fromAnswer(status, jsonOrUndefined(text)).needsToken;
}

/** An answer's JSON, or undefined when it has none (ApiError then stands in for the error). */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function workflowPath(id: string, suffix = ""): string {
  return `/api/workflows/${encodeURIComponent(id)}${suffix}`;
}

/** Why a request got no answer, from the error and its cause (undici's: e.g. ECONNREFUSED). */
function failureReason(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "no answer in time";
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string }) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
