import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventSequencer } from "../../src/EventSequencer";
import {
  LiveConnection,
  type EventFetcher,
  type LiveConnectionOptions,
  type LiveFailure,
  type SocketLike,
  type SocketReport,
} from "../../src/LiveConnection";
import type { WorkflowEvent } from "../../src/types";
import { makeEvent } from "../support/events";

/** A WebSocket whose server side the test plays. */
class FakeSocket implements SocketLike {
  static created: FakeSocket[] = [];
  readyState = 0;
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  readonly sent: Record<string, unknown>[] = [];

  constructor(
    readonly url: string,
    /** What Node's `ws` can say and a browser's WebSocket cannot. */
    readonly report: SocketReport,
  ) {
    FakeSocket.created.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    this.readyState = 3;
  }

  accept(): void {
    this.readyState = 1;
    this.onopen?.({ type: "open" });
  }

  push(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** The connection breaks (server gone, network down). */
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ type: "close", code: 1006 });
  }
}

const latest = () => FakeSocket.created.at(-1)!;

const pushEvents = (socket: FakeSocket, workflowId: string, sequences: number[]) => {
  for (const sequence of sequences) {
    socket.push({ type: "event", event: makeEvent(sequence, { workflowId }) });
  }
};

function connection(
  url = () => "ws://amelia.test/ws",
  overrides: Partial<LiveConnectionOptions> = {},
) {
  return new LiveConnection({
    url,
    createSocket: (u, report) => new FakeSocket(u, report),
    watchAll: true,
    initialDelayMs: 500,
    maxDelayMs: 4_000,
    random: () => 0.5, // no jitter: delays are exact
    heartbeatMs: 20_000,
    heartbeatTimeoutMs: 5_000,
    releaseDelayMs: 1_000,
    fetchEvent: () => Promise.reject(new Error("this test refers to no event")),
    ...overrides,
  });
}

/** Drops the latest socket and advances the clock until the next one exists: the delay. */
function dropAndTimeReconnect(step = 50): number {
  const before = FakeSocket.created.length;
  latest().drop();
  let waited = 0;
  while (FakeSocket.created.length === before) {
    vi.advanceTimersByTime(step);
    waited += step;
  }
  return waited;
}

const sequencesOf = (live: LiveConnection, id: string) =>
  live.snapshot(id).events.map((e) => e.sequence);

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.created = [];
});
afterEach(() => vi.useRealTimers());

describe("LiveConnection", () => {
  it("subscribes to every workflow and to a followed one from its start, keeping each event once and in order", () => {
    const live = connection();
    live.start();
    expect(live.state).toBe("connecting");
    const changes = vi.fn();
    live.follow("wf-1", changes);
    latest().accept();

    expect(live.state).toBe("open");
    expect(latest().sent).toEqual([
      { action: "subscribe", workflowId: "*" },
      { action: "subscribe", workflowId: "wf-1", since: 0 },
    ]);
    // A live push overtakes the backfill, and one event comes twice.
    pushEvents(latest(), "wf-1", [1, 3, 2, 3]);
    latest().push({ type: "backfill_complete", workflowId: "wf-1", count: 3 });
    pushEvents(latest(), "wf-2", [1]);

    expect(sequencesOf(live, "wf-1")).toEqual([1, 2, 3]);
    expect(live.snapshot("wf-1").caughtUp).toBe(true);
    expect(live.snapshot("wf-2").events).toEqual([]); // not followed
    expect(changes).toHaveBeenCalledTimes(4); // three new events and the end of the backfill
  });

  it("hands every pushed event of every workflow to onEvent listeners", () => {
    const live = connection();
    const seen: string[] = [];
    live.onEvent((e) => seen.push(`${e.workflowId}#${e.sequence}`));
    live.start();
    latest().accept();
    pushEvents(latest(), "wf-1", [1]);
    pushEvents(latest(), "wf-2", [4]);
    expect(seen).toEqual(["wf-1#1", "wf-2#4"]);
  });

  it("reconnects after a drop and resubscribes since the last sequence seen: nothing missed, nothing twice", () => {
    const live = connection();
    const reopened = vi.fn();
    live.onReopen(reopened);
    live.start();
    live.follow("wf-1", () => {});
    latest().accept();
    pushEvents(latest(), "wf-1", [1, 2, 3]);
    latest().push({ type: "backfill_complete", workflowId: "wf-1", count: 3 });

    latest().drop();
    expect(live.state).toBe("reconnecting");
    expect(FakeSocket.created).toHaveLength(1);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.created).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.created).toHaveLength(2);

    latest().accept();
    expect(live.state).toBe("open");
    expect(reopened).toHaveBeenCalledOnce();
    expect(latest().sent).toEqual([
      { action: "subscribe", workflowId: "*" },
      { action: "subscribe", workflowId: "wf-1", since: 3 },
    ]);
    expect(live.snapshot("wf-1").caughtUp).toBe(false);
    // The backfill overlaps what a live push already brought: duplicates are dropped.
    pushEvents(latest(), "wf-1", [5, 4, 5, 6]);
    latest().push({ type: "backfill_complete", workflowId: "wf-1", count: 3 });
    expect(sequencesOf(live, "wf-1")).toEqual([1, 2, 3, 4, 5, 6]);
    expect(live.snapshot("wf-1").caughtUp).toBe(true);
  });

  it("resumes from the last sequence without a gap, so a missing event is fetched again", () => {
    const live = connection();
    live.start();
    live.follow("wf-1", () => {});
    latest().accept();
    pushEvents(latest(), "wf-1", [1, 2, 4]);
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().accept();
    expect(latest().sent).toContainEqual({ action: "subscribe", workflowId: "wf-1", since: 2 });
    pushEvents(latest(), "wf-1", [3, 4, 5]);
    expect(sequencesOf(live, "wf-1")).toEqual([1, 2, 3, 4, 5]);
  });

  it("backs off exponentially up to a ceiling while the server stays away, and starts over once connected", () => {
    const live = connection();
    live.start();
    latest().accept();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = FakeSocket.created.length;
      latest().drop();
      let waited = 0;
      while (FakeSocket.created.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000]);

    latest().accept();
    latest().drop();
    vi.advanceTimersByTime(500);
    expect(latest().readyState).toBe(0); // a fresh attempt after the first delay again
  });

  it("pings, and treats a connection that stays silent as dead", () => {
    const live = connection();
    live.start();
    latest().accept();
    const first = latest();

    vi.advanceTimersByTime(20_000);
    expect(first.sent.at(-1)).toEqual({ action: "ping" });
    first.push({ type: "pong" });
    vi.advanceTimersByTime(5_000);
    expect(live.state).toBe("open");

    vi.advanceTimersByTime(15_000); // the next ping gets no answer
    vi.advanceTimersByTime(5_000);
    expect(live.state).toBe("reconnecting");
    expect(first.readyState).toBe(3);
    vi.advanceTimersByTime(500);
    expect(latest()).not.toBe(first);
  });

  it("unsubscribes a workflow nobody follows any more, unless it is followed again soon", () => {
    const live = connection();
    live.start();
    latest().accept();
    const stop = live.follow("wf-1", () => {});
    pushEvents(latest(), "wf-1", [1, 2]);

    stop();
    vi.advanceTimersByTime(500);
    const again = live.follow("wf-1", () => {}); // a remount: the same subscription serves it
    vi.advanceTimersByTime(1_000);
    expect(sequencesOf(live, "wf-1")).toEqual([1, 2]);
    expect(latest().sent.filter((m) => m.workflowId === "wf-1")).toHaveLength(1);

    again();
    vi.advanceTimersByTime(1_000);
    expect(latest().sent.at(-1)).toEqual({ action: "unsubscribe", workflowId: "wf-1" });
    expect(live.snapshot("wf-1").events).toEqual([]);
  });

  it("reconnects at once with a fresh URL when asked (a new token), and stops for good on stop()", () => {
    let token = "old";
    const live = connection(() => `ws://amelia.test/ws?token=${token}`);
    live.start();
    latest().accept();
    token = "new";
    live.reconnect();
    expect(latest().url).toBe("ws://amelia.test/ws?token=new");
    expect(FakeSocket.created[0]!.readyState).toBe(3);

    live.stop();
    expect(live.state).toBe("closed");
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.created).toHaveLength(2);
  });

  it("spreads each delay ±25% around its ceiling, so clients that dropped together spread out", () => {
    const spread = (random: number) => {
      const live = connection(undefined, { random: () => random });
      live.start();
      latest().accept();
      const delays = [0, 1, 2, 3].map(() => dropAndTimeReconnect(25));
      live.stop();
      return delays;
    };
    expect(spread(0)).toEqual([375, 750, 1_500, 3_000]);
    expect(spread(0.999)).toEqual([625, 1_250, 2_500, 5_000]);
  });

  it("says when and how long it waits before each attempt", () => {
    const live = connection();
    const retries: Array<[number, number]> = [];
    live.onReconnecting((attempt, delayMs) => retries.push([attempt, delayMs]));
    live.start();
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().drop();
    expect(retries).toEqual([
      [1, 500],
      [2, 1_000],
    ]);
  });

  it("without watchAll subscribes only to the workflows it follows", () => {
    const live = connection(undefined, { watchAll: false });
    live.start();
    live.follow("wf-1", () => {});
    latest().accept();
    expect(latest().sent).toEqual([{ action: "subscribe", workflowId: "wf-1", since: 0 }]);
  });

  it("follows after the events a given sequencer holds, handing listeners the events next in line", () => {
    const live = connection(undefined, { watchAll: false });
    const history = new EventSequencer();
    for (const sequence of [1, 2]) history.accept(makeEvent(sequence));
    const ready: number[][] = [];
    live.follow("wf-1", (events) => ready.push(events.map((e) => e.sequence)), history);
    live.start();
    latest().accept();
    expect(latest().sent).toEqual([{ action: "subscribe", workflowId: "wf-1", since: 2 }]);

    pushEvents(latest(), "wf-1", [2, 4, 3, 5]);
    latest().push({ type: "backfill_complete", workflowId: "wf-1", count: 3 });
    // The repeat of 2 changes nothing; 4 waits for 3; the end of the backfill brings no event.
    expect(ready).toEqual([[], [3, 4], [5], []]);
    expect(history.lastSequence).toBe(5);
  });

  it("hands every message of the server to onMessage listeners, errors included", () => {
    const live = connection();
    const types: string[] = [];
    live.onMessage((message) => types.push(message.type));
    live.start();
    latest().accept();
    latest().push({ type: "subscribed", workflowId: "*" });
    latest().push({ type: "error", code: "NOT_FOUND", error: "Workflow wf-9 not found" });
    pushEvents(latest(), "wf-1", [1]);
    latest().push({ type: "pong" });
    expect(types).toEqual(["subscribed", "error", "event", "pong"]);
  });

  it("gives up after maxAttempts failed attempts in a row, saying why the last one failed", () => {
    const live = connection(undefined, { maxAttempts: 2 });
    const failures: LiveFailure[] = [];
    live.onGiveUp((failure) => failures.push(failure));
    live.start();
    latest().report.failed("ECONNREFUSED");
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().drop();
    vi.advanceTimersByTime(1_000);
    expect(failures).toEqual([]);
    latest().report.failed("ETIMEDOUT");
    latest().drop();

    expect(failures).toEqual([{ type: "unreachable", reason: "ETIMEDOUT" }]);
    expect(live.state).toBe("closed");
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.created).toHaveLength(3);
  });

  it("counts failed attempts afresh once a connection opens", () => {
    const live = connection(undefined, { maxAttempts: 1 });
    const failures: LiveFailure[] = [];
    live.onGiveUp((failure) => failures.push(failure));
    live.start();
    latest().drop();
    vi.advanceTimersByTime(500);
    latest().accept();
    latest().drop();
    vi.advanceTimersByTime(500);
    expect(failures).toEqual([]);
    expect(FakeSocket.created).toHaveLength(3);
  });

  it.each([401, 403])(
    "gives up at once when the upgrade is answered %i: the token is refused",
    (status) => {
      const live = connection();
      const failures: LiveFailure[] = [];
      live.onGiveUp((failure) => failures.push(failure));
      live.start();
      latest().report.refused(status);
      latest().drop();
      expect(failures).toEqual([{ type: "token_refused", status }]);
      expect(live.state).toBe("closed");
      vi.advanceTimersByTime(60_000);
      expect(FakeSocket.created).toHaveLength(1);
    },
  );

  it("retries an upgrade answered with another status, and names it when it gives up", () => {
    const live = connection(undefined, { maxAttempts: 0 });
    const failures: LiveFailure[] = [];
    live.onGiveUp((failure) => failures.push(failure));
    live.start();
    latest().report.refused(502);
    latest().drop();
    expect(failures).toEqual([
      { type: "unreachable", reason: "the WebSocket upgrade was answered with HTTP 502" },
    ]);
  });

  it("ignores what an abandoned socket reports", () => {
    const live = connection();
    const failures: LiveFailure[] = [];
    live.onGiveUp((failure) => failures.push(failure));
    live.start();
    const first = latest();
    live.reconnect();
    first.report.refused(401);
    expect(failures).toEqual([]);
    expect(live.state).toBe("connecting");
  });
});

/** One call of fetchEvent, which the test answers when it likes. */
interface Read {
  workflowId: string;
  sequence: number;
  resolve(event: WorkflowEvent | undefined): void;
  reject(error: Error): void;
}

/** A fetchEvent whose reads wait for the test to answer them. */
function heldReads() {
  const reads: Read[] = [];
  const fetchEvent: EventFetcher = (workflowId, sequence) =>
    new Promise((resolve, reject) => reads.push({ workflowId, sequence, resolve, reject }));
  return { reads, fetchEvent };
}

const refer = (socket: FakeSocket, workflowId: string, sequence: number) =>
  socket.push({ type: "event_reference", workflowId, sequence, bytes: 300_000 });

/** An event of a 300 KB plan: too large for one WebSocket message. */
const largeEvent = (sequence: number, workflowId = "wf-1") =>
  makeEvent(sequence, { workflowId, data: { plan: "x".repeat(300_000) } });

/** Lets a read the test answered reach the connection (its `await`), firing no timer. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("LiveConnection, with an event too large for one message (event_reference)", () => {
  it("reads the referenced event and delivers it in its place: the events after it wait for it", async () => {
    const { reads, fetchEvent } = heldReads();
    const live = connection(undefined, { fetchEvent });
    const sequencer = new EventSequencer();
    const ready: number[][] = [];
    const heard: number[] = [];
    live.onEvent((e) => heard.push(e.sequence));
    live.follow("wf-1", (events) => ready.push(events.map((e) => e.sequence)), sequencer);
    live.start();
    latest().accept();

    pushEvents(latest(), "wf-1", [1]);
    refer(latest(), "wf-1", 2);
    pushEvents(latest(), "wf-1", [3]);
    expect(reads.map((r) => [r.workflowId, r.sequence])).toEqual([["wf-1", 2]]);
    expect(ready).toEqual([[1], []]); // 3 waits for 2
    expect(sequencer.lastSequence).toBe(1);

    reads[0]!.resolve(largeEvent(2));
    await settle();
    expect(ready).toEqual([[1], [], [2, 3]]);
    expect(heard).toEqual([1, 3, 2]);
    expect(live.snapshot("wf-1").events).toEqual([makeEvent(1), largeEvent(2), makeEvent(3)]);
    expect(sequencer.lastSequence).toBe(3);
  });

  it("reads a referenced event once, and drops a repeat of the reference or of the event", async () => {
    const { reads, fetchEvent } = heldReads();
    const live = connection(undefined, { fetchEvent });
    const changes = vi.fn();
    live.follow("wf-1", changes);
    live.start();
    latest().accept();

    // Through `*` and through its own subscription: the same reference twice.
    refer(latest(), "wf-1", 1);
    refer(latest(), "wf-1", 1);
    expect(reads).toHaveLength(1);
    reads[0]!.resolve(largeEvent(1));
    await settle();
    expect(changes).toHaveBeenCalledTimes(1);

    refer(latest(), "wf-1", 1); // a backfill that overlaps: the feed has it already
    latest().push({ type: "event", event: largeEvent(1) });
    await settle();
    expect(reads).toHaveLength(1);
    expect(changes).toHaveBeenCalledTimes(1);
    expect(sequencesOf(live, "wf-1")).toEqual([1]);
  });

  it("retries a failed read with the reconnect backoff until one succeeds", async () => {
    const { reads, fetchEvent } = heldReads();
    const live = connection(undefined, { fetchEvent });
    live.follow("wf-1", () => {});
    live.start();
    latest().accept();
    refer(latest(), "wf-1", 1);

    reads[0]!.reject(new Error("ECONNRESET"));
    await settle();
    await vi.advanceTimersByTimeAsync(499);
    expect(reads).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads).toHaveLength(2);

    reads[1]!.resolve(undefined); // not readable yet: tried again like a failure, later
    await settle();
    await vi.advanceTimersByTimeAsync(999);
    expect(reads).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads.map((r) => r.sequence)).toEqual([1, 1, 1]);

    reads[2]!.resolve(largeEvent(1));
    await settle();
    expect(sequencesOf(live, "wf-1")).toEqual([1]);
  });

  it("after fetchAttempts failed reads leaves the gap open, for the next backfill's reference to fill", async () => {
    const { reads, fetchEvent } = heldReads();
    const live = connection(undefined, { fetchEvent, fetchAttempts: 2 });
    live.follow("wf-1", () => {});
    live.start();
    latest().accept();
    refer(latest(), "wf-1", 1);
    pushEvents(latest(), "wf-1", [2]);

    reads[0]!.reject(new Error("ECONNRESET"));
    await settle();
    await vi.advanceTimersByTimeAsync(500);
    reads[1]!.reject(new Error("ECONNRESET"));
    await vi.advanceTimersByTimeAsync(15_000); // before a ping, so the connection stays
    expect(reads).toHaveLength(2);
    expect(live.snapshot("wf-1").events.map((e) => e.sequence)).toEqual([2]); // waits for 1

    latest().drop();
    await vi.advanceTimersByTimeAsync(500);
    latest().accept();
    expect(latest().sent).toContainEqual({ action: "subscribe", workflowId: "wf-1", since: 0 });
    refer(latest(), "wf-1", 1);
    reads[2]!.resolve(largeEvent(1));
    await settle();
    expect(sequencesOf(live, "wf-1")).toEqual([1, 2]);
  });

  it("delivers a read that ends after its socket was dropped: the event is still the workflow's", async () => {
    const { reads, fetchEvent } = heldReads();
    const live = connection(undefined, { fetchEvent });
    live.follow("wf-1", () => {});
    live.start();
    latest().accept();
    refer(latest(), "wf-1", 1);
    latest().drop();
    expect(live.state).toBe("reconnecting");

    reads[0]!.resolve(largeEvent(1));
    await settle();
    expect(sequencesOf(live, "wf-1")).toEqual([1]);
    await vi.advanceTimersByTimeAsync(500);
    latest().accept();
    expect(latest().sent).toContainEqual({ action: "subscribe", workflowId: "wf-1", since: 1 });
  });

  it("after stop() delivers no read that ends later and tries no read again", async () => {
    const { reads, fetchEvent } = heldReads();
    const live = connection(undefined, { fetchEvent });
    const changes = vi.fn();
    const heard = vi.fn();
    live.onEvent(heard);
    live.follow("wf-1", changes);
    live.start();
    latest().accept();
    refer(latest(), "wf-1", 1);
    refer(latest(), "wf-1", 2);
    reads[1]!.reject(new Error("ECONNRESET"));
    await settle(); // read 2 waits to be tried again

    live.stop();
    reads[0]!.resolve(largeEvent(1));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reads).toHaveLength(2);
    expect(heard).not.toHaveBeenCalled();
    expect(changes).not.toHaveBeenCalled();
    expect(live.snapshot("wf-1").events).toEqual([]);
  });

  it("reads a referenced event of an unfollowed workflow only when onEvent listens", async () => {
    const { reads, fetchEvent } = heldReads();
    const live = connection(undefined, { fetchEvent });
    live.start();
    latest().accept();
    refer(latest(), "wf-2", 4); // via `*`, and nobody would hear it
    expect(reads).toEqual([]);

    const heard: WorkflowEvent[] = [];
    live.onEvent((e) => heard.push(e));
    refer(latest(), "wf-2", 4);
    expect(reads.map((r) => [r.workflowId, r.sequence])).toEqual([["wf-2", 4]]);
    reads[0]!.resolve(largeEvent(4, "wf-2"));
    await settle();
    expect(heard).toEqual([largeEvent(4, "wf-2")]);
  });
});
