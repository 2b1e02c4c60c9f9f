import type { ServerMessage, WorkflowEvent } from "../api/types";
import { EMPTY_FEED, EventFeed, type FeedSnapshot } from "./EventFeed";

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

/** The part of the browser's WebSocket this module uses (a fake stands in for it in tests). */
export type SocketLike = Pick<
  WebSocket,
  "readyState" | "onopen" | "onmessage" | "onclose" | "send" | "close"
>;

export interface LiveConnectionOptions {
  /** Read before each attempt: the token in it may have changed. */
  url: () => string;
  createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; each failed attempt doubles it, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** 0..1, spreads reconnects of many clients (jitter of ±25%). */
  random?: () => number;
  /** A ping this often; a connection that then stays silent for `heartbeatTimeoutMs` is dead. */
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  /** How long an unwatched workflow stays subscribed, so a quick return (or a remount) reuses it. */
  releaseDelayMs?: number;
}

const OPEN = 1;
const ALL_WORKFLOWS = "*";

interface Followed {
  feed: EventFeed;
  listeners: Set<() => void>;
  releaseTimer?: ReturnType<typeof setTimeout>;
}

/**
 * The WebSocket side of the contract, without React: one connection subscribed to every
 * workflow (`*`) for live updates, plus per-workflow subscriptions with backfill. It reconnects
 * with exponential backoff and resubscribes each followed workflow with `since` = the last
 * sequence it holds without a gap, so no event is missed; duplicates are dropped by sequence.
 */
export class LiveConnection {
  private socket: SocketLike | undefined;
  private current: ConnectionState = "closed";
  private attempt = 0;
  private everOpened = false;
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly followed = new Map<string, Followed>();
  private readonly stateListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: WorkflowEvent) => void>();
  private readonly reopenListeners = new Set<() => void>();
  private readonly options: Required<LiveConnectionOptions>;

  constructor(options: LiveConnectionOptions) {
    this.options = {
      createSocket: (url) => new WebSocket(url),
      initialDelayMs: 500,
      maxDelayMs: 15_000,
      random: Math.random,
      heartbeatMs: 25_000,
      heartbeatTimeoutMs: 10_000,
      releaseDelayMs: 2_000,
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
    this.abandonSocket();
    this.setState("closed");
  }

  /** Drops the current connection and connects again at once (e.g. with a new token). */
  reconnect(): void {
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    this.abandonSocket();
    this.attempt = 0;
    this.connect();
  }

  onStateChange(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Every pushed event of every workflow, as received (at least once, unordered). */
  onEvent(listener: (event: WorkflowEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called when a connection opens after one was lost: anything may have changed meanwhile. */
  onReopen(listener: () => void): () => void {
    this.reopenListeners.add(listener);
    return () => this.reopenListeners.delete(listener);
  }

  /**
   * Follows one workflow's events from its first: the listener hears of every change to
   * `snapshot(workflowId)`. Returns the function that stops following.
   */
  follow(workflowId: string, listener: () => void): () => void {
    let entry = this.followed.get(workflowId);
    if (!entry) {
      entry = { feed: new EventFeed(), listeners: new Set() };
      this.followed.set(workflowId, entry);
      this.subscribe(workflowId, entry.feed);
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

  snapshot(workflowId: string): FeedSnapshot {
    return this.followed.get(workflowId)?.feed.snapshot() ?? EMPTY_FEED;
  }

  private connect(): void {
    this.setState(this.everOpened ? "reconnecting" : "connecting");
    const socket = this.options.createSocket(this.options.url());
    this.socket = socket;
    socket.onopen = () => this.opened();
    socket.onmessage = (message: MessageEvent) => {
      this.heard();
      if (typeof message.data === "string") this.received(message.data);
    };
    socket.onclose = () => this.lost();
  }

  private opened(): void {
    const reopened = this.everOpened;
    this.everOpened = true;
    this.attempt = 0;
    this.setState("open");
    this.send({ action: "subscribe", workflowId: ALL_WORKFLOWS });
    for (const [workflowId, { feed }] of this.followed) this.subscribe(workflowId, feed);
    this.heartbeatTimer = setInterval(() => this.ping(), this.options.heartbeatMs);
    if (reopened) for (const listener of this.reopenListeners) listener();
  }

  private subscribe(workflowId: string, feed: EventFeed): void {
    if (this.socket?.readyState !== OPEN) return; // opened() subscribes it
    if (feed.setCaughtUp(false)) this.notify(workflowId);
    this.send({ action: "subscribe", workflowId, since: feed.watermark });
  }

  private received(data: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === "event") {
      for (const listener of this.eventListeners) listener(message.event);
      const entry = this.followed.get(message.event.workflowId);
      if (entry?.feed.add(message.event)) this.notify(message.event.workflowId);
    } else if (message.type === "backfill_complete") {
      if (this.followed.get(message.workflowId)?.feed.setCaughtUp(true)) {
        this.notify(message.workflowId);
      }
    } else if (message.type === "error") {
      console.warn(`Amelia WebSocket: ${message.code}: ${message.error}`);
    }
  }

  private lost(): void {
    this.abandonSocket();
    if (!this.running) return;
    const base = Math.min(
      this.options.maxDelayMs,
      this.options.initialDelayMs * 2 ** this.attempt++,
    );
    const delay = base * (0.75 + this.options.random() * 0.5);
    this.setState(this.everOpened ? "reconnecting" : "connecting");
    this.retryTimer = setTimeout(() => this.connect(), delay);
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

  private notify(workflowId: string): void {
    const entry = this.followed.get(workflowId);
    if (entry) for (const listener of entry.listeners) listener();
  }
}
