/**
 * The busy-laptop scenarios of `npm run bench`: many demo workflows at once with every gate
 * approved the moment it opens by a client watching `*`, and many watchers on `*` while
 * workflows run. Every workflow must complete and every watcher must receive every event.
 */
import { performance } from "node:perf_hooks";
import type { WorkflowEvent } from "../../packages/core/src/events/types";
import { Api } from "../support/api";
import { WsClient, type ServerMessage } from "../support/ws";

/** Watchers subscribed to `*`, timing each event from its append to its receipt. */
class Watchers {
  /** Milliseconds from an event's timestamp to its receipt, per receipt. */
  readonly latencies: number[] = [];
  /** Events received, per watcher: `workflowId#sequence`. */
  readonly received: Set<string>[];

  private constructor(
    readonly clients: WsClient[],
    onEvent: (event: WorkflowEvent) => void,
  ) {
    this.received = clients.map(() => new Set());
    clients.forEach((client, index) => {
      client.socket.on("message", (data: Buffer) => {
        const message = JSON.parse(data.toString("utf8")) as ServerMessage;
        if (message.type !== "event") return;
        this.latencies.push(Date.now() - Date.parse(message.event.timestamp));
        this.received[index]!.add(`${message.event.workflowId}#${message.event.sequence}`);
        if (index === 0) onEvent(message.event);
      });
    });
  }

  static async connect(
    wsUrl: string,
    count: number,
    onEvent: (event: WorkflowEvent) => void = () => {},
  ): Promise<Watchers> {
    const clients: WsClient[] = [];
    // A few at a time, as browsers open: 300 upgrades at once would measure the accept queue.
    for (let i = 0; i < count; i += 25) {
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, count - i) }, () => WsClient.connect(wsUrl)),
        )),
      );
    }
    for (const client of clients) client.send({ action: "subscribe", workflowId: "*" });
    await Promise.all(clients.map((c) => c.waitFor((m) => m.type === "subscribed", 30_000)));
    return new Watchers(clients, onEvent);
  }

  /** Waits until every watcher holds every one of `events`; throws naming what is missing. */
  async expectAll(events: WorkflowEvent[], timeoutMs = 30_000): Promise<void> {
    const keys = events.map((e) => `${e.workflowId}#${e.sequence}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = this.received.reduce(
        (sum, got) => sum + keys.filter((key) => !got.has(key)).length,
        0,
      );
      if (missing === 0) return;
      if (Date.now() > deadline) throw new Error(`${missing} event deliveries never arrived`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): Promise<void[]> {
    return Promise.all(this.clients.map((c) => c.close()));
  }
}

export interface LoadResult {
  seconds: number;
  perSecond: number;
}

/**
 * Runs `total` demo workflows, at most `concurrency` at a time; one watcher on `*` approves each
 * gate as soon as its `approval_required` arrives.
 */
export async function concurrentWorkflows(
  api: Api,
  wsUrl: string,
  total: number,
  concurrency: number,
  label: string,
): Promise<LoadResult> {
  const completed = new Map<string, () => void>();
  const failures: string[] = [];
  const watcher = await Watchers.connect(wsUrl, 1, (event) => {
    if (event.type === "approval_required") {
      void api.approve(event.workflowId).then(({ status }) => {
        if (status !== 200) failures.push(`approve ${event.workflowId}: ${status}`);
      });
    } else if (event.type === "workflow_completed") {
      completed.get(event.workflowId)?.();
    } else if (event.type === "workflow_failed") {
      failures.push(`${event.workflowId} failed: ${event.message}`);
    }
  });
  let next = 0;
  const started = performance.now();
  const runOne = async (index: number) => {
    const { status, body } = await api.create({
      issueId: `${label}-${index}`,
      title: "Load",
      description: "Greet users. Log it.",
    });
    if (status !== 201) throw new Error(`create answered ${status}`);
    // Completion may already have been pushed: the workflow's state decides.
    await new Promise<void>((resolve) => {
      completed.set(body.id, resolve);
      void api.get(body.id).then(({ body: w }) => w.status === "completed" && resolve());
    });
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && failures.length === 0) await runOne(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await watcher.close();
  if (failures.length > 0) throw new Error(failures.join("; "));
  return { seconds, perSecond: total / seconds };
}

/** From the approve request to the developer's `stage_started`, with `watchers` on `*`. */
export async function approveLatencyWatched(
  api: Api,
  wsUrl: string,
  watchers: number,
  runs: number,
): Promise<{ approve: number[]; push: number[] }> {
  const watching = await Watchers.connect(wsUrl, watchers);
  const approve: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { body } = await api.create({ issueId: `BENCH-WATCHED-${i}`, title: "Watched" });
    await api.waitForStatus(body.id, "blocked");
    const before = Date.now();
    if ((await api.approve(body.id)).status !== 200) throw new Error("approve failed");
    await api.waitForStatus(body.id, "completed", 60_000);
    const events = await api.events(body.id);
    const developer = events.find((e) => e.type === "stage_started" && e.agent === "developer");
    if (!developer) throw new Error(`no developer stage in ${body.id}`);
    approve.push(Date.parse(developer.timestamp) - before);
    await watching.expectAll(events);
  }
  await watching.close();
  return { approve, push: watching.latencies };
}

/** `watchers` on `*` while `workflows` demo workflows run to completion: every event counted. */
export async function manyWatchers(
  api: Api,
  wsUrl: string,
  watchers: number,
  workflows: number,
): Promise<{ deliveries: number; push: number[] }> {
  const watching = await Watchers.connect(wsUrl, watchers);
  const ids = await Promise.all(
    Array.from({ length: workflows }, async (_, i) => {
      const { body } = await api.create({ issueId: `BENCH-WATCHERS-${i}`, title: "Watched" });
      await api.waitForStatus(body.id, "blocked");
      await api.approve(body.id);
      await api.waitForStatus(body.id, "completed", 120_000);
      return body.id;
    }),
  );
  const events = (await Promise.all(ids.map((id) => api.events(id)))).flat();
  await watching.expectAll(events, 60_000);
  await watching.close();
  return { deliveries: events.length * watchers, push: watching.latencies };
}
