import type { WorkflowEvent } from "@amelia/core/events/types";
import type { ServerMessage } from "@amelia/core/realtime/messages";
import WebSocket from "ws";
import { unauthorizedHint } from "./ApiClient";
import { webSocketUrl, type ServerConfig } from "./config";
import { ApiError, ConnectionError } from "./errors";
import type { EventSequencer } from "./EventSequencer";

export interface ReconnectPolicy {
  /** The first wait after a drop; each failed attempt doubles it, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failed attempts before giving up (the count restarts once subscribed). */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  maxAttempts: 10,
};

/** A ping this often keeps idle connections open (API Gateway drops them after 10 minutes). */
const HEARTBEAT_MS = 60_000;
/** How long a closing socket may wait for the server's close frame. */
const CLOSE_GRACE_MS = 1_000;

export interface FollowOptions {
  server: ServerConfig;
  workflowId: string;
  /** Already holds what was printed: the subscription asks for everything after it. */
  sequencer: EventSequencer;
  /** Called once per event, in sequence order; returns true to stop following. */
  onEvent(event: WorkflowEvent): boolean;
  onReconnecting?(attempt: number, delayMs: number): void;
  onSubscribed?(): void;
  reconnect?: ReconnectPolicy;
}

/**
 * Follows one workflow's events over the WebSocket: subscribes with `since` = the last sequence
 * seen, and after a drop reconnects with backoff and subscribes again the same way, so every
 * event is handed over exactly once and in order however often the connection breaks.
 */
export class EventFollower {
  private readonly reconnect: ReconnectPolicy;
  private socket: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private finished = false;
  private settle: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(private readonly options: FollowOptions) {
    this.reconnect = options.reconnect ?? DEFAULT_RECONNECT;
  }

  /** Resolves when onEvent asks to stop; rejects with a CliError. */
  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.connect();
    });
  }

  private connect(): void {
    const socket = new WebSocket(webSocketUrl(this.options.server));
    this.socket = socket;
    let refusedWith: number | undefined;
    let awaitingPong = false;
    let failure = "connection closed";
    const heartbeat = setInterval(() => {
      if (awaitingPong) return socket.terminate();
      awaitingPong = true;
      socket.send(JSON.stringify({ action: "ping" }));
    }, HEARTBEAT_MS).unref();

    socket.on("open", () => {
      socket.send(
        JSON.stringify({
          action: "subscribe",
          workflowId: this.options.workflowId,
          since: this.options.sequencer.lastSequence,
        }),
      );
    });
    socket.on("message", (data: Buffer) => {
      awaitingPong = false;
      this.handle(JSON.parse(data.toString("utf8")) as ServerMessage);
    });
    socket.on("unexpected-response", (_request, response) => {
      refusedWith = response.statusCode;
      failure = `the WebSocket upgrade was answered with HTTP ${response.statusCode}`;
      response.resume();
      socket.terminate();
    });
    socket.on("error", (error: Error & { code?: string }) => {
      failure = error.code ?? error.message;
    });
    socket.on("close", () => {
      clearInterval(heartbeat);
      if (this.finished || this.socket !== socket) return;
      if (refusedWith === 401) {
        this.finish(
          new ApiError(
            401,
            "UNAUTHORIZED",
            "The WebSocket refused the API token",
            undefined,
            unauthorizedHint(this.options.server.token !== undefined),
          ),
        );
        return;
      }
      this.scheduleReconnect(failure);
    });
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case "subscribed":
        this.failedAttempts = 0;
        this.options.onSubscribed?.();
        return;
      case "event":
        if (message.event.workflowId !== this.options.workflowId) return;
        for (const event of this.options.sequencer.accept(message.event)) {
          if (this.finished) return;
          if (this.options.onEvent(event)) return this.finish();
        }
        return;
      case "error":
        this.finish(new ApiError(undefined, message.code, message.error, message.details));
        return;
      default:
        return;
    }
  }

  private scheduleReconnect(reason: string): void {
    this.failedAttempts++;
    if (this.failedAttempts > this.reconnect.maxAttempts) {
      const { wsUrl, apiUrl } = this.options.server;
      this.finish(new ConnectionError(wsUrl, reason, apiUrl));
      return;
    }
    const delay = Math.min(
      this.reconnect.maxDelayMs,
      this.reconnect.initialDelayMs * 2 ** (this.failedAttempts - 1),
    );
    this.options.onReconnecting?.(this.failedAttempts, delay);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private finish(error?: Error): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.close(1000);
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
    } else {
      socket?.terminate();
    }
    if (error) this.settle?.reject(error);
    else this.settle?.resolve();
  }
}
