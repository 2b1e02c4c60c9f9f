import type { ServerMessage, WorkflowEvent } from "@amelia/client";
import WebSocket from "ws";

export type { ServerMessage } from "@amelia/client";

/** A WebSocket client that keeps every message it receives, for assertions. */
export class WsClient {
  readonly messages: ServerMessage[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data: Buffer) => {
      this.messages.push(JSON.parse(data.toString("utf8")) as ServerMessage);
      for (const wake of this.waiters) wake();
    });
  }

  /** `origin`: the Origin a browser's page would send (none, like a script, by default). */
  static connect(url: string, options: { origin?: string } = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options.origin ? { origin: options.origin } : {});
      socket.once("open", () => resolve(new WsClient(socket)));
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`WebSocket refused: HTTP ${response.statusCode}`)),
      );
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  events(workflowId?: string): WorkflowEvent[] {
    return this.messages
      .filter((m): m is Extract<ServerMessage, { type: "event" }> => m.type === "event")
      .map((m) => m.event)
      .filter((e) => workflowId === undefined || e.workflowId === workflowId);
  }

  /** Waits until some received message satisfies the predicate, and returns it. */
  waitFor(
    predicate: (message: ServerMessage) => boolean,
    timeoutMs = 10_000,
  ): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve(found);
        return true;
      };
      const wake = () => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(
          new Error(`Timed out; received ${JSON.stringify(this.messages.map((m) => m.type))}`),
        );
      }, timeoutMs);
      if (!check()) this.waiters.push(wake);
    });
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}
