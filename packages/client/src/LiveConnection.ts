import { EventSequencer } from "./EventSequencer";
import { reconnectDelay, type ReconnectBackoff } from "./reconnectDelay";
import type { ServerMessage, WorkflowEvent } from "./types";

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

/** A handler slot both the browser's WebSocket and the `ws` package's fit (checked bivariantly). */
type Handler<E> = { bivarianceHack(event: E): void }["bivarianceHack"];

/** The part of a WebSocket this client uses: the browser's has it, and a fake in tests. */
export interface SocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<unknown> | null;
  send(data: string): void;
  close(): void;
}

/** What a socket can tell beyond a browser's WebSocket (which hides both): Node's `ws` can. */
export interface SocketReport {
  /** The server answered the upgrade with this HTTP status instead of switching protocols. */
  refused(status: number): void;
  /** Why the connection failed or broke (ECONNREFUSED, …). */
  failed(reason: string): void;
}

/** Opens a socket: `(url) => new WebSocket(url)` in a browser, an adapter of `ws` in Node. */
export type SocketFactory = (url: string, report: SocketReport) => SocketLike;

/** Why the connection gave up for good. */
export type LiveFailure =
  { type: "token_refused"; status: number } | { type: "unreachable"; reason: string };

/** Reads one event over HTTP (`ApiClient.event`); undefined when there is none. */
export type EventFetcher = (
  workflowId: string,
  sequence: number,
) => Promise<WorkflowEvent | undefined>;

export interface LiveConnectionOptions extends Partial<ReconnectBackoff> {
  /** Read before each attempt: the token in it may have changed. */
  url: () => string;
  createSocket: SocketFactory;
  /**
   * Reads an event the server only refers to (`event_reference`): one too large for a WebSocket
   * message.
   */
  fetchEvent: EventFetcher;
  /**
   * Reads of one referenced event (the first and the retries, spaced like reconnects) before
   * its gap is left open for the next reconnect's backfill to fill.
   */
  fetchAttempts?: number;
  /** Also subscribe to every workflow (`*`), so onEvent hears each workflow's events. */
  watchAll?: boolean;
  /** Failed attempts in a row before giving up; the count restarts once a connection opens. */
  maxAttempts?: number;
  /** A ping this often; a connection that then stays silent for `heartbeatTimeoutMs` is dead. */
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  /** How long an unwatched workflow stays subscribed, so a quick return (or a remount) reuses it. */
  releaseDelayMs?: number;
}

export interface FeedSnapshot {
  /** Each event once, in sequence order. */
  events: readonly WorkflowEvent[];
  /** The server has sent everything stored since the last (re)subscription. */
  caughtUp: boolean;
}

/** Told of every change to a followed workflow's feed, with the events now next in line. */
export type FeedListener = (ready: readonly WorkflowEvent[]) => void;

const EMPTY_FEED: FeedSnapshot = Object.freeze({ events: [], caughtUp: false });
const OPEN = 1;
const ALL_WORKFLOWS = "*";
/** The statuses with which a gateway refuses the token of an upgrade. */
const TOKEN_REFUSALS = new Set([401, 403]);

interface Followed {
  sequencer: EventSequencer;
  caughtUp: boolean;
  cached: FeedSnapshot | null;
  listeners: Set<FeedListener>;
  releaseTimer?: ReturnType<typeof setTimeout>;
}

/** A referenced event being read. */
interface PendingFetch {
  workflowId: string;
  sequence: number;
  /** Its key in `fetches`. */
  key: string;
  retryTimer?: ReturnType<typeof setTimeout>;
}

/**
 * The WebSocket side of the contract: one connection, optionally subscribed to every workflow
 * (`*`) for live updates, plus per-workflow subscriptions with backfill. It reconnects with
 * jittered exponential backoff and resubscribes each followed workflow with `since` = the last
 * sequence it holds without a gap, so no event is missed; repeats are dropped by sequence.
 * An event too large for a WebSocket message comes as an `event_reference` and is read over
 * HTTP, then handled like a pushed one; until it is read its gap holds back the events after it.
 */
export class LiveConnection {
  private socket: SocketLike | undefined;
  /** Counts sockets, so a report of one abandoned is ignored. */
  private generation = 0;
  private current: ConnectionState = "closed";
  private failures = 0;
  private failure = "connection closed";
  private everOpened = false;
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly followed = new Map<string, Followed>();
  /** By `workflowId#sequence`: a reference repeated while its event is read is not read twice. */
  private readonly fetches = new Map<string, PendingFetch>();
  private readonly stateListeners = new Set<() => void>();
  private readonly messageListeners = new Set<(message: ServerMessage) => void>();
  private readonly eventListeners = new Set<(event: WorkflowEvent) => void>();
  private readonly reopenListeners = new Set<() => void>();
  private readonly retryListeners = new Set<(attempt: number, delayMs: number) => void>();
  private readonly giveUpListeners = new Set<(failure: LiveFailure) => void>();
  private readonly options: Required<LiveConnectionOptions>;

  constructor(options: LiveConnectionOptions) {
    this.options = {
      watchAll: false,
      initialDelayMs: 500,
      maxDelayMs: 15_000,
      random: Math.random,
      maxAttempts: Number.POSITIVE_INFINITY,
      heartbeatMs: 25_000,
      heartbeatTimeoutMs: 10_000,
      releaseDelayMs: 2_000,
      fetchAttempts: 5,
      ...options,
    };
  }

  get state(): ConnectionState {
    return this.current;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    for (const pending of this.fetches.values()) clearTimeout(pending.retryTimer);
    this.fetches.clear(); // a read that ends later finds itself gone and is dropped
    this.abandonSocket();
    this.setState("closed");
  }

  /** Drops the current connection and connects again at once (e.g. with a new token). */
  reconnect(): void {
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    this.abandonSocket();
    this.failures = 0;
    this.connect();
  }

  onStateChange(listener: () => void): () => void {
    return listen(this.stateListeners, listener);
  }

  /** Every message of the server, as received. */
  onMessage(listener: (message: ServerMessage) => void): () => void {
    return listen(this.messageListeners, listener);
  }

  /**
   * Every pushed event of every workflow, as received (at least once, unordered); a referenced
   * one once it is read.
   */
  onEvent(listener: (event: WorkflowEvent) => void): () => void {
    return listen(this.eventListeners, listener);
  }

  /** Called when a connection opens after one was lost: anything may have changed meanwhile. */
  onReopen(listener: () => void): () => void {
    return listen(this.reopenListeners, listener);
  }

  /** Called when a connection is lost and the next attempt waits `delayMs`. */
  onReconnecting(listener: (attempt: number, delayMs: number) => void): () => void {
    return listen(this.retryListeners, listener);
  }

  /** Called when it stops trying: the token was refused, or `maxAttempts` failed in a row. */
  onGiveUp(listener: (failure: LiveFailure) => void): () => void {
    return listen(this.giveUpListeners, listener);
  }

  /**
   * Follows one workflow's events after those `sequencer` holds (from its first by default):
   * the listener hears of every change to `snapshot(workflowId)`. Returns the function that
   * stops following.
   */
  follow(
    workflowId: string,
    listener: FeedListener,
    sequencer: EventSequencer = new EventSequencer(),
  ): () => void {
    let entry = this.followed.get(workflowId);
    if (!entry) {
      entry = { sequencer, caughtUp: false, cached: null, listeners: new Set() };
      this.followed.set(workflowId, entry);
      this.subscribe(workflowId, entry);
    }
    clearTimeout(entry.releaseTimer);
    entry.listeners.add(listener);
    const followed = entry;
    return () => {
      followed.listeners.delete(listener);
      if (followed.listeners.size > 0) return;
      followed.releaseTimer = setTimeout(() => {
        if (this.followed.get(workflowId) !== followed || followed.listeners.size > 0) return;
        this.followed.delete(workflowId);
        this.send({ action: "unsubscribe", workflowId });
      }, this.options.releaseDelayMs);
    };
  }

  /** An immutable view, the same object until something changes (for useSyncExternalStore). */
  snapshot(workflowId: string): FeedSnapshot {
    const entry = this.followed.get(workflowId);
    if (!entry) return EMPTY_FEED;
    entry.cached ??= { events: [...entry.sequencer.events], caughtUp: entry.caughtUp };
    return entry.cached;
  }

  private connect(): void {
    this.setState(this.everOpened ? "reconnecting" : "connecting");
    this.failure = "connection closed";
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const socket = this.options.createSocket(this.options.url(), {
      refused: (status) => {
        if (!current()) return;
        if (TOKEN_REFUSALS.has(status)) this.giveUp({ type: "token_refused", status });
        else this.failure = `the WebSocket upgrade was answered with HTTP ${status}`;
      },
      failed: (reason) => {
        if (current()) this.failure = reason;
      },
    });
    if (!current()) return socket.close(); // refused while being created
    this.socket = socket;
    socket.onopen = () => this.opened();
    socket.onmessage = (message) => {
      this.heard();
      if (typeof message.data === "string") this.received(message.data);
    };
    socket.onclose = () => this.lost();
  }

  private opened(): void {
    const reopened = this.everOpened;
    this.everOpened = true;
    this.failures = 0;
    this.setState("open");
    if (this.options.watchAll) this.send({ action: "subscribe", workflowId: ALL_WORKFLOWS });
    for (const [workflowId, entry] of this.followed) this.subscribe(workflowId, entry);
    this.heartbeatTimer = setInterval(() => this.ping(), this.options.heartbeatMs);
    if (reopened) for (const listener of this.reopenListeners) listener();
  }

  private subscribe(workflowId: string, entry: Followed): void {
    if (this.socket?.readyState !== OPEN) return; // opened() subscribes it
    if (entry.caughtUp) {
      entry.caughtUp = false;
      this.changed(entry, []);
    }
    this.send({ action: "subscribe", workflowId, since: entry.sequencer.lastSequence });
  }

  private received(data: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    for (const listener of this.messageListeners) listener(message);
    if (message.type === "event") {
      this.deliver(message.event);
    } else if (message.type === "event_reference") {
      this.referenced(message.workflowId, message.sequence);
    } else if (message.type === "backfill_complete") {
      const entry = this.followed.get(message.workflowId);
      if (entry && !entry.caughtUp) {
        entry.caughtUp = true;
        this.changed(entry, []);
      }
    }
  }

  /** A pushed event, or a referenced one once read: to onEvent listeners, then to its feed. */
  private deliver(event: WorkflowEvent): void {
    for (const listener of this.eventListeners) listener(event);
    const entry = this.followed.get(event.workflowId);
    const ready = entry?.sequencer.accept(event);
    if (entry && ready) this.changed(entry, ready);
  }

  private referenced(workflowId: string, sequence: number): void {
    const key = `${workflowId}#${sequence}`;
    if (this.fetches.has(key) || !this.wants(workflowId, sequence)) return;
    const pending: PendingFetch = { workflowId, sequence, key };
    this.fetches.set(key, pending);
    void this.fetchReferenced(pending, 0);
  }

  /** Whether the event would reach anyone: its followed feed lacks it, or onEvent listens. */
  private wants(workflowId: string, sequence: number): boolean {
    const entry = this.followed.get(workflowId);
    return entry ? entry.sequencer.needs(sequence) : this.eventListeners.size > 0;
  }

  private async fetchReferenced(pending: PendingFetch, attempt: number): Promise<void> {
    const { workflowId, sequence, key } = pending;
    let event: WorkflowEvent | undefined;
    try {
      event = await this.options.fetchEvent(workflowId, sequence);
    } catch {
      event = undefined; // retried like one not there (yet)
    }
    // Stopped meanwhile. A socket dropped meanwhile changes nothing: the event is still valid.
    if (this.fetches.get(key) !== pending) return;
    if (event) {
      this.fetches.delete(key);
      this.deliver(event);
    } else if (attempt + 1 < this.options.fetchAttempts && this.wants(workflowId, sequence)) {
      pending.retryTimer = setTimeout(
        () => void this.fetchReferenced(pending, attempt + 1),
        reconnectDelay(attempt, this.options),
      );
    } else {
      // The gap stays open: the next (re)subscription's backfill refers to the event again.
      this.fetches.delete(key);
    }
  }

  private lost(): void {
    this.abandonSocket();
    if (!this.running) return;
    this.failures++;
    if (this.failures > this.options.maxAttempts) {
      this.giveUp({ type: "unreachable", reason: this.failure });
      return;
    }
    const delay = reconnectDelay(this.failures - 1, this.options);
    this.setState(this.everOpened ? "reconnecting" : "connecting");
    for (const listener of this.retryListeners) listener(this.failures, delay);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private giveUp(failure: LiveFailure): void {
    this.stop();
    for (const listener of this.giveUpListeners) listener(failure);
  }

  private ping(): void {
    this.send({ action: "ping" });
    this.silenceTimer ??= setTimeout(() => {
      // Nothing came back: the connection is dead without having said so (sleep, lost Wi-Fi).
      this.silenceTimer = undefined;
      this.lost();
    }, this.options.heartbeatTimeoutMs);
  }

  private heard(): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }

  /** Forgets the socket: nothing it does later reaches this object. */
  private abandonSocket(): void {
    clearInterval(this.heartbeatTimer);
    this.heard();
    this.generation++;
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close();
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: ConnectionState): void {
    if (this.current === state) return;
    this.current = state;
    for (const listener of this.stateListeners) listener();
  }

  private changed(entry: Followed, ready: readonly WorkflowEvent[]): void {
    entry.cached = null;
    for (const listener of entry.listeners) listener(ready);
  }
}

function listen<T>(listeners: Set<T>, listener: T): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
