import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const LOOPBACK = "127.0.0.1";

/** Listens on the loopback interface only (port 0 picks a free one) and returns the base URL. */
export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`;
}

/** Stops listening and cuts the connections the SDK keeps alive, which close() would wait out. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * An emulator's HTTP server on the loopback interface: `start` listens, `endpoint` is its base
 * URL (the `AWS_ENDPOINT_URL_*` the functions get), `close` stops it.
 */
export abstract class LoopbackEndpoint {
  private readonly server: Server;
  private endpointUrl: string | undefined;

  protected constructor(private readonly port: number | undefined) {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  /** Answers one request (errors included: nothing may escape). */
  protected abstract handle(request: IncomingMessage, response: ServerResponse): void;

  get endpoint(): string {
    if (!this.endpointUrl) throw new Error(`${this.constructor.name} is not started`);
    return this.endpointUrl;
  }

  async start(): Promise<{ endpoint: string }> {
    this.endpointUrl = await listenOnLoopback(this.server, this.port);
    return { endpoint: this.endpointUrl };
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }
}
