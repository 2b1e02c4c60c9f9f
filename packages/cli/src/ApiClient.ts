import type { WorkflowEvent } from "@amelia/core/events/types";
import type { Workflow } from "@amelia/core/workflow/Workflow";
import type { ServerConfig } from "./config";
import { ApiError, ConnectionError } from "./errors";

/** Longest wait for one HTTP answer; agents run asynchronously, so every route answers fast. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The largest page the list route serves. */
const LIST_PAGE_SIZE = 100;

export interface CreateWorkflowRequest {
  issueId: string;
  title?: string;
  description?: string;
  repository?: string;
}

interface WorkflowPage {
  workflows: Workflow[];
  nextCursor?: string;
}

interface EventPage {
  events: WorkflowEvent[];
  nextSince?: number;
}

/** The HTTP API of the contract, as the CLI uses it. Every failure is a CliError. */
export class ApiClient {
  constructor(private readonly config: ServerConfig) {}

  createWorkflow(request: CreateWorkflowRequest): Promise<Workflow> {
    return this.request("POST", "/api/workflows", request);
  }

  getWorkflow(id: string): Promise<Workflow> {
    return this.request("GET", workflowPath(id));
  }

  async activeWorkflows(): Promise<Workflow[]> {
    return (await this.request<WorkflowPage>("GET", "/api/workflows/active")).workflows;
  }

  /** Every stored workflow, newest first, one page after another. */
  async allWorkflows(): Promise<Workflow[]> {
    const all: Workflow[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
      if (cursor !== undefined) query.set("cursor", cursor);
      const page = await this.request<WorkflowPage>("GET", `/api/workflows?${query}`);
      all.push(...page.workflows);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  }

  /** The events with a sequence above `since`, page by page, in order. */
  async *events(id: string, since = 0): AsyncGenerator<WorkflowEvent[]> {
    let cursor: number | undefined = since;
    while (cursor !== undefined) {
      const page: EventPage = await this.request(
        "GET",
        `${workflowPath(id)}/events?since=${cursor}`,
      );
      yield page.events;
      cursor = page.nextSince;
    }
  }

  approve(id: string): Promise<Workflow> {
    return this.request("POST", `${workflowPath(id)}/approve`);
  }

  reject(id: string, feedback: string): Promise<Workflow> {
    return this.request("POST", `${workflowPath(id)}/reject`, { feedback });
  }

  cancel(id: string, reason?: string): Promise<Workflow> {
    return this.request(
      "POST",
      `${workflowPath(id)}/cancel`,
      reason === undefined ? {} : { reason },
    );
  }

  resume(id: string): Promise<Workflow> {
    return this.request("POST", `${workflowPath(id)}/resume`);
  }

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.config.apiUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(body !== undefined && { "content-type": "application/json" }),
          ...(this.config.token !== undefined && { authorization: `Bearer ${this.config.token}` }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ConnectionError(this.config.apiUrl, failureReason(error));
    }
    const text = await response.text().catch((error: unknown) => {
      throw new ConnectionError(this.config.apiUrl, failureReason(error));
    });
    const parsed = parseJson(text);
    if (parsed === undefined) {
      throw new ApiError(
        response.status,
        "UNEXPECTED_RESPONSE",
        `The server answered HTTP ${response.status} with a body that is not JSON`,
        undefined,
        "Does AMELIA_API_URL point at an Amelia server?",
      );
    }
    if (response.ok) return parsed as T;
    throw apiError(response.status, parsed, this.config.token !== undefined);
  }
}

function workflowPath(id: string): string {
  return `/api/workflows/${encodeURIComponent(id)}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The contract's `{ code, error, details? }`, or a stand-in when something else answered. */
function apiError(status: number, body: unknown, hasToken: boolean): ApiError {
  if (!isErrorBody(body)) {
    return new ApiError(
      status,
      "UNEXPECTED_RESPONSE",
      `The server answered HTTP ${status} without an error code`,
    );
  }
  return new ApiError(
    status,
    body.code,
    body.error,
    body.details,
    body.code === "UNAUTHORIZED" ? unauthorizedHint(hasToken) : undefined,
  );
}

export function unauthorizedHint(hasToken: boolean): string {
  return hasToken
    ? "AMELIA_API_TOKEN does not match the server's token."
    : "The server needs a token: set AMELIA_API_TOKEN.";
}

function isErrorBody(body: unknown): body is { code: string; error: string; details?: unknown } {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { code?: unknown }).code === "string" &&
    typeof (body as { error?: unknown }).error === "string"
  );
}

/** Why a request got no answer, from undici's error and its cause (e.g. ECONNREFUSED). */
function failureReason(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "no answer in time";
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string }) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
