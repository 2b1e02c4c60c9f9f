import {
  ApiClient,
  type Answer,
  type ErrorBody,
  type Workflow,
  type WorkflowEvent,
} from "@amelia/client";

export type ApiResponse<T = unknown> = Answer<T>;
/** The contract's error answer, under the name the tests know it by. */
export type { ErrorBody as ApiError } from "@amelia/client";

/**
 * The HTTP API as a script that looks at every answer uses it: the product's client, with each
 * answer returned whatever its status, and polling for the asynchronous state machine.
 */
export class Api {
  private readonly client: ApiClient;

  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {
    this.client = new ApiClient({ baseUrl, token: () => token });
  }

  /**
   * Sends `body` as JSON, or `raw` as written (e.g. malformed JSON); `contentType` other than
   * JSON sends it the way a browser's form or simple request would.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
    contentType = "application/json",
  ): Promise<ApiResponse<T>> {
    if (contentType === "application/json") {
      return this.client.exchange<T>(method, path, body, raw === undefined ? {} : { rawBody: raw });
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        "content-type": contentType,
        ...(this.token && { authorization: `Bearer ${this.token}` }),
      },
      body: raw ?? JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  create(body: Record<string, unknown>) {
    return this.request<Workflow & ErrorBody>("POST", "/api/workflows", body);
  }

  get(id: string) {
    return this.request<Workflow & ErrorBody>("GET", `/api/workflows/${id}`);
  }

  approve(id: string) {
    return this.request<Workflow & ErrorBody>("POST", `/api/workflows/${id}/approve`, {});
  }

  reject(id: string, feedback?: string) {
    return this.request<Workflow & ErrorBody>(
      "POST",
      `/api/workflows/${id}/reject`,
      feedback === undefined ? {} : { feedback },
    );
  }

  cancel(id: string) {
    return this.request<Workflow & ErrorBody>("POST", `/api/workflows/${id}/cancel`, {});
  }

  async events(id: string, since = 0): Promise<WorkflowEvent[]> {
    const all: WorkflowEvent[] = [];
    for await (const page of this.client.events(id, since)) all.push(...page);
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
