import type {
  EventData,
  EventType,
  SocketLike,
  Workflow,
  WorkflowDiff,
  WorkflowEvent,
} from "@amelia/client";
import { errorResponse, invalidField, NotFoundError } from "@amelia/core/errors";
import { EVENT_DATA } from "@amelia/core/events/types";
import { parseInput } from "@amelia/core/validation";
import { applyEvent } from "@amelia/core/workflow/projection";
import { createWorkflowSchema, raiseBudgetSchema } from "@amelia/core/workflow/Workflow";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { onTestFinished } from "vitest";
import { createServices, ServicesContext, type Services } from "../../src/services";

const OPEN = 1;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * Amelia as the web page talks to it, in memory: each workflow is its event log, folded by
 * core's projection the way the server folds it; GETs answer with that, starting a workflow and
 * raising a budget record what the server records, and the WebSocket backfills subscriptions and
 * pushes each newly recorded event.
 */
export class FakeAmelia {
  private readonly logs = new Map<string, WorkflowEvent[]>();
  private readonly sockets: SocketLike[] = [];
  /** Each workflow's diff of each developer round. */
  private readonly diffs = new Map<string, Map<number, WorkflowDiff>>();
  private clock = Date.UTC(2026, 0, 1, 12);
  /** Every request the page sent, as "METHOD /path". */
  readonly requests: string[] = [];

  /** Records an event (its data checked as the log checks it) and pushes it to every socket. */
  record<T extends EventType>(workflowId: string, type: T, data: EventData<T>): void {
    const log = this.logs.get(workflowId) ?? [];
    this.logs.set(workflowId, log);
    this.clock += 1_000;
    const event = {
      id: `${workflowId}-${log.length + 1}`,
      workflowId,
      sequence: log.length + 1,
      timestamp: new Date(this.clock).toISOString(),
      type,
      agent: "system",
      level: "info",
      message: type,
      data: EVENT_DATA[type].parse(data),
    } as WorkflowEvent;
    log.push(event);
    for (const socket of this.sockets) this.push(socket, { type: "event", event });
  }

  /** Starts a workflow's log; an issue's, unless `data` says otherwise. */
  create(workflowId: string, data: Partial<EventData<"workflow_created">> = {}): void {
    this.record(workflowId, "workflow_created", {
      issueId: "ISSUE-1",
      branch: `amelia/${workflowId}`,
      model: "demo",
      ...data,
    });
  }

  /** What `GET …/diff` answers for `diff.round` from now on; the newest round is the default. */
  setDiff(workflowId: string, diff: Omit<WorkflowDiff, "workflowId" | "rounds">): void {
    const rounds = this.diffs.get(workflowId) ?? new Map<number, WorkflowDiff>();
    this.diffs.set(workflowId, rounds);
    rounds.set(diff.round, { ...diff, workflowId, rounds: [] });
    const numbers = [...rounds.keys()].sort((a, b) => a - b);
    for (const each of rounds.values()) each.rounds = numbers;
  }

  private workflow(id: string): Workflow | undefined {
    return this.logs.get(id)?.reduce<Workflow | undefined>(applyEvent, undefined);
  }

  /** Answers as the server does, its errors included (core's error bodies). */
  private async answerRequest(url: string | URL | Request, init?: RequestInit): Promise<Response> {
    const { pathname, searchParams } = new URL(String(url));
    this.requests.push(
      `${init?.method ?? "GET"} ${pathname}${searchParams.size ? `?${searchParams}` : ""}`,
    );
    try {
      const { status, body } = this.route(pathname, init, searchParams);
      return json(status, body);
    } catch (error) {
      const { statusCode, body } = errorResponse(error);
      if (statusCode === 500) throw error;
      return json(statusCode, body);
    }
  }

  private route(
    pathname: string,
    init: RequestInit | undefined,
    query: URLSearchParams,
  ): { status: number; body: unknown } {
    const method = init?.method ?? "GET";
    const body = () => JSON.parse(String(init?.body)) as unknown;
    if (pathname === "/api/workflows") {
      if (method === "POST") return { status: 201, body: this.start(body()) };
      const workflows = [...this.logs.keys()].map((key) => this.workflow(key)!);
      return { status: 200, body: { workflows: workflows.reverse() } };
    }
    const [, id, rest] = /^\/api\/workflows\/([^/]+)(\/.*)?$/.exec(pathname) ?? [];
    const workflow = id && this.workflow(decodeURIComponent(id));
    if (!workflow) throw new NotFoundError("Workflow", id ?? pathname);
    if (method === "GET" && rest === undefined) return { status: 200, body: workflow };
    if (method === "GET" && rest === "/diff")
      return { status: 200, body: this.diff(workflow, query) };
    if (method === "POST" && rest === "/budget") {
      const { budgetUsd } = parseInput(raiseBudgetSchema, body(), "body");
      return { status: 200, body: this.raiseBudget(workflow, budgetUsd) };
    }
    throw new Error(`FakeAmelia does not answer ${method} ${pathname}`);
  }

  /** `GET …/diff[?round=N]`: the round asked for, or the newest. */
  private diff(workflow: Workflow, query: URLSearchParams): WorkflowDiff {
    const rounds = this.diffs.get(workflow.id);
    const round = query.has("round")
      ? Number(query.get("round"))
      : Math.max(...(rounds?.keys() ?? []));
    const diff = rounds?.get(round);
    if (!diff) throw invalidField("round", `must be one of the developer rounds`);
    return diff;
  }

  /** `POST /api/workflows`: the input checked by the server's schema. */
  private start(body: unknown): Workflow {
    const input = parseInput(createWorkflowSchema, body, "body");
    const id = `wf-${this.logs.size + 1}`;
    this.create(id, input);
    return this.workflow(id)!;
  }

  /** As the server raises a budget: above what was spent; at the budget gate the stage goes on. */
  private raiseBudget(workflow: Workflow, budgetUsd: number): Workflow {
    const spent = workflow.usage.costUsd;
    if (budgetUsd <= spent) {
      throw invalidField("budgetUsd", `must be more than the $${spent.toFixed(4)} already spent`);
    }
    const by = { source: "api" } as const;
    this.record(workflow.id, "budget_raised", {
      budgetUsd,
      ...(workflow.budgetUsd !== undefined && { previousUsd: workflow.budgetUsd }),
      by,
    });
    if (workflow.status === "blocked" && workflow.gate === "budget") {
      this.record(workflow.id, "approval_granted", { gate: "budget", by });
    }
    return this.workflow(workflow.id)!;
  }

  /** The page's services, connected to this Amelia. */
  services(): Services {
    const storage = new Map([["amelia.apiToken", "token"]]);
    const services = createServices(
      { apiUrl: "https://api.example", wsUrl: "wss://ws.example" },
      {
        storage: {
          getItem: (key) => storage.get(key) ?? null,
          setItem: (key, value) => void storage.set(key, value),
        },
        fetch: (url, init) => this.answerRequest(url, init),
        createSocket: () => this.openSocket(),
      },
    );
    services.live.start();
    onTestFinished(() => services.live.stop());
    return services;
  }

  private openSocket(): SocketLike {
    const socket: SocketLike = {
      readyState: OPEN,
      onopen: null,
      onmessage: null,
      onclose: null,
      send: (data) => this.answer(socket, JSON.parse(data)),
      close() {},
    };
    this.sockets.push(socket);
    queueMicrotask(() => socket.onopen?.({}));
    return socket;
  }

  private answer(
    socket: SocketLike,
    message: { action: string; workflowId?: string; since?: number },
  ) {
    const { action, workflowId, since = 0 } = message;
    if (action !== "subscribe" || !workflowId) return;
    this.push(socket, { type: "subscribed", workflowId });
    if (workflowId === "*") return;
    const backfill = (this.logs.get(workflowId) ?? []).filter((event) => event.sequence > since);
    for (const event of backfill) this.push(socket, { type: "event", event });
    this.push(socket, { type: "backfill_complete", workflowId, count: backfill.length });
  }

  /** Sent after the caller's turn, as a real socket would. */
  private push(socket: SocketLike, message: unknown) {
    queueMicrotask(() => socket.onmessage?.({ data: JSON.stringify(message) }));
  }
}

/** Renders a part of the page inside the services of `amelia`. */
export function renderWith(amelia: FakeAmelia, ui: ReactNode) {
  return render(
    <ServicesContext.Provider value={amelia.services()}>{ui}</ServicesContext.Provider>,
  );
}
