import type { SocketFactory, SocketLike, SocketReport } from "@amelia/client";
import WebSocket from "ws";

/** How long a closing socket may wait for the server's close frame. */
const CLOSE_GRACE_MS = 1_000;

/** The `ws` package as the client's socket (Node has no WebSocket of its own before 22). */
export const nodeSocket: SocketFactory = (url, report) => new NodeSocket(url, report);

/**
 * Tells the client what a browser cannot: the status of a refused upgrade and why a connection
 * failed. Closing never keeps the process waiting for a server that does not answer.
 */
class NodeSocket implements SocketLike {
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  private readonly socket: WebSocket;

  constructor(url: string, report: SocketReport) {
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on("open", () => this.onopen?.(undefined));
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      this.onmessage?.({ data: isBinary ? data : data.toString("utf8") });
    });
    socket.on("unexpected-response", (_request, response) => {
      report.refused(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on("error", (error: Error & { code?: string }) =>
      report.failed(error.code ?? error.message),
    );
    socket.on("close", () => this.onclose?.(undefined));
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  send(data: string): void {
    this.socket.send(data);
  }

  close(): void {
    const socket = this.socket;
    if (socket.readyState !== WebSocket.OPEN) return socket.terminate();
    socket.close(1000);
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  }
}
