import type { WorkflowEvent } from "../../packages/core/src/events/types";
import type { Workflow } from "../../packages/core/src/workflow/Workflow";

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export interface ApiError {
  code: string;
  error: string;
  details?: unknown;
}

/** A small client for the HTTP API, as a script would use it. */
export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** Sends `body` as JSON, or `raw` as it is with `contentType`; no body, no content-type. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
    contentType = "application/json",
  ): Promise<ApiResponse<T>> {
    const sent = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(sent !== undefined && { "content-type": contentType }),
        ...(this.token && { authorization: `Bearer ${this.token}` }),
      },
      ...(sent !== undefined && { body: sent }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  create(body: Record<string, unknown>) {
    return this.request<Workflow & ApiError>("POST", "/api/workflows", body);
  }

  get(id: string) {
    return this.request<Workflow & ApiError>("GET", `/api/workflows/${id}`);
  }

  approve(id: string) {
    return this.request<Workflow & ApiError>("POST", `/api/workflows/${id}/approve`);
  }

  reject(id: string, feedback?: string) {
    return this.request<Workflow & ApiError>(
      "POST",
      `/api/workflows/${id}/reject`,
      feedback === undefined ? {} : { feedback },
    );
  }

  cancel(id: string) {
    return this.request<Workflow & ApiError>("POST", `/api/workflows/${id}/cancel`);
  }

  async events(id: string, since = 0): Promise<WorkflowEvent[]> {
    const all: WorkflowEvent[] = [];
    let cursor: number | undefined = since;
    while (cursor !== undefined) {
      const page: ApiResponse<{ events: WorkflowEvent[]; nextSince?: number }> = await this.request(
        "GET",
        `/api/workflows/${id}/events?since=${cursor}`,
      );
      if (page.status !== 200) throw new Error(`events: HTTP ${page.status}`);
      all.push(...page.body.events);
      cursor = page.body.nextSince;
    }
    return all;
  }

  /** Polls until the workflow satisfies the predicate (the state machine runs asynchronously). */
  async waitFor(
    id: string,
    predicate: (workflow: Workflow) => boolean,
    timeoutMs = 15_000,
  ): Promise<Workflow> {
    const deadline = Date.now() + timeoutMs;
    let last: Workflow | undefined;
    while (Date.now() < deadline) {
      const response = await this.get(id);
      last = response.body;
      if (response.status === 200 && predicate(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(
      `Timed out waiting for workflow ${id}; last seen ${JSON.stringify(last)?.slice(0, 400)}`,
    );
  }

  waitForStatus(id: string, status: Workflow["status"], timeoutMs?: number) {
    return this.waitFor(id, (w) => w.status === status, timeoutMs);
  }
}

/** Asserts-friendly: the sequences 1..n with no gap or repeat. */
export function sequencesOf(events: readonly WorkflowEvent[]): number[] {
  return events.map((e) => e.sequence);
}

export function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
