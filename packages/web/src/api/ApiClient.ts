import type { TokenStore } from "../auth/TokenStore";
import { ApiError } from "./ApiError";
import type { Workflow, WorkflowStatus } from "./types";

export interface Health {
  status: string;
  version: string;
  checks: { database: string; model: { name: string; demo: boolean } };
}

export interface WorkflowPage {
  workflows: Workflow[];
  nextCursor?: string;
}

export interface NewWorkflow {
  issueId: string;
  title?: string;
  description?: string;
  repository?: string;
}

/** The HTTP API. A 401 asks the person for the token once, then the request is tried again. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenStore,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  health(): Promise<Health> {
    return this.request("GET", "/api/health");
  }

  listWorkflows(options: { status?: WorkflowStatus; cursor?: string } = {}): Promise<WorkflowPage> {
    const query = new URLSearchParams({ limit: "50" });
    if (options.status) query.set("status", options.status);
    if (options.cursor) query.set("cursor", options.cursor);
    return this.request("GET", `/api/workflows?${query}`);
  }

  activeWorkflows(): Promise<WorkflowPage> {
    return this.request("GET", "/api/workflows/active");
  }

  getWorkflow(id: string): Promise<Workflow> {
    return this.request("GET", workflowPath(id));
  }

  createWorkflow(input: NewWorkflow): Promise<Workflow> {
    return this.request("POST", "/api/workflows", input);
  }

  approve(id: string): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/approve"), {});
  }

  reject(id: string, feedback: string): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/reject"), { feedback });
  }

  cancel(id: string): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/cancel"), {});
  }

  /** Continues a failed workflow from the stage that failed. */
  resume(id: string): Promise<Workflow> {
    return this.request("POST", workflowPath(id, "/resume"), {});
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response = await this.send(method, path, body);
    if (response.status === 401 && (await this.tokens.ask())) {
      response = await this.send(method, path, body);
    }
    const payload = (await response.json().catch(() => undefined)) as
      { code?: string; error?: string; details?: unknown } | undefined;
    if (!response.ok) {
      throw new ApiError(
        response.status,
        payload?.code ?? `HTTP_${response.status}`,
        payload?.error ?? `The server answered ${response.status} ${response.statusText}`,
        payload?.details,
      );
    }
    return payload as T;
  }

  private async send(method: string, path: string, body: unknown): Promise<Response> {
    const token = this.tokens.token;
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(body !== undefined && { "content-type": "application/json" }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, "NETWORK_ERROR", "Cannot reach the Amelia API. Is it running?");
    }
  }
}

function workflowPath(id: string, suffix = ""): string {
  return `/api/workflows/${encodeURIComponent(id)}${suffix}`;
}
