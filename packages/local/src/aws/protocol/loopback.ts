import type { Server } from "node:http";
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
