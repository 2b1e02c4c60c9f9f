import {
  LiveConnection,
  socketUrl,
  type ApiClient,
  type EventSequencer,
  type LiveConnectionOptions,
  type LiveFailure,
  type WorkflowEvent,
} from "@amelia/client";
import type { ServerConfig } from "./config";
import { ConnectionError, ServerRefusedError, unauthorizedHint, type CliError } from "./errors";
import { nodeSocket } from "./nodeSocket";

export type ReconnectPolicy = Required<
  Pick<LiveConnectionOptions, "initialDelayMs" | "maxDelayMs" | "maxAttempts">
>;

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  maxAttempts: 10,
};

/** A ping this often keeps idle connections open (API Gateway drops them after 10 minutes). */
const HEARTBEAT_MS = 60_000;

export interface FollowOptions {
  server: ServerConfig;
  /** Reads the events too large for a WebSocket message, which the server only refers to. */
  api: Pick<ApiClient, "event">;
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
 * event is handed over exactly once and in order however often the connection breaks. An event
 * too large for a WebSocket message is read over HTTP, in its place in that order.
 */
export class EventFollower {
  constructor(private readonly options: FollowOptions) {}

  /** Resolves when onEvent asks to stop; rejects with a CliError. */
  run(): Promise<void> {
    const { server, api, workflowId, sequencer } = this.options;
    const live = new LiveConnection({
      url: () => socketUrl(server.wsUrl, server.token),
      createSocket: nodeSocket,
      fetchEvent: (id, sequence) => api.event(id, sequence),
      heartbeatMs: HEARTBEAT_MS,
      ...(this.options.reconnect ?? DEFAULT_RECONNECT),
    });
    return new Promise((resolve, reject) => {
      let finished = false;
      const finish = (error?: CliError) => {
        if (finished) return;
        finished = true;
        live.stop();
        if (error) reject(error);
        else resolve();
      };
      live.onMessage((message) => {
        if (message.type === "subscribed") this.options.onSubscribed?.();
        if (message.type === "error") {
          finish(new ServerRefusedError(undefined, message.code, message.error, message.details));
        }
      });
      live.onReconnecting((attempt, delayMs) => this.options.onReconnecting?.(attempt, delayMs));
      live.onGiveUp((failure) => finish(this.failureError(failure)));
      live.follow(
        workflowId,
        (ready) => {
          for (const event of ready) {
            if (finished) return;
            if (this.options.onEvent(event)) return finish();
          }
        },
        sequencer,
      );
      live.start();
    });
  }

  private failureError(failure: LiveFailure): CliError {
    const { wsUrl, apiUrl, token } = this.options.server;
    if (failure.type === "unreachable") return new ConnectionError(wsUrl, failure.reason, apiUrl);
    return new ServerRefusedError(
      failure.status,
      "UNAUTHORIZED",
      "The WebSocket refused the API token",
      undefined,
      unauthorizedHint(token !== undefined),
    );
  }
}
