import type { EventData, EventType, SocketLike, Workflow, WorkflowEvent } from "@amelia/client";
import { EVENT_DATA } from "@amelia/core/events/types";
import { applyEvent } from "@amelia/core/workflow/projection";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { onTestFinished } from "vitest";
import { createServices, ServicesContext, type Services } from "../../src/services";

const OPEN = 1;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * Amelia as the web page talks to it, in memory: each workflow is its event log, folded by
 * core's projection the way the server folds it; GETs answer with that, and the WebSocket
 * backfills subscriptions and pushes each newly recorded event.
 */
export class FakeAmelia {
  private readonly logs = new Map<string, WorkflowEvent[]>();
  private readonly sockets: SocketLike[] = [];
  private clock = Date.UTC(2026, 0, 1, 12);

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

  private workflow(id: string): Workflow | undefined {
    return this.logs.get(id)?.reduce<Workflow | undefined>(applyEvent, undefined);
  }

  private async answerRequest(url: string | URL | Request): Promise<Response> {
    const { pathname } = new URL(String(url));
    const [, id, rest] = /^\/api\/workflows\/([^/]+)(\/.*)?$/.exec(pathname) ?? [];
    if (pathname === "/api/workflows") {
      const workflows = [...this.logs.keys()].map((key) => this.workflow(key)!);
      return json(200, { workflows: workflows.reverse() });
    }
    const workflow = id && this.workflow(decodeURIComponent(id));
    if (workflow && rest === undefined) return json(200, workflow);
    if (!workflow) return json(404, { code: "NOT_FOUND", error: `No workflow ${id}` });
    throw new Error(`FakeAmelia does not answer ${pathname}`);
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
        fetch: (url) => this.answerRequest(url),
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
