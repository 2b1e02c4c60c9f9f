import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsJsonServer } from "../../../../src/aws/protocol/AwsJsonServer";
import type {
  ConnectionInfo,
  ConnectionRegistry,
} from "../../../../src/aws/apigatewaymanagementapi/ConnectionRegistry";
import { apiGateway, clientConfig, TEST_CREDENTIALS } from "../../../support/sdk";

/** An in-memory stand-in for the WebSocket server's registry. */
class FakeRegistry implements ConnectionRegistry {
  readonly live = new Map<string, ConnectionInfo>();
  readonly sent: [string, Buffer][] = [];
  readonly closed: string[] = [];

  send(connectionId: string, data: Buffer): boolean {
    if (!this.live.has(connectionId)) return false;
    this.sent.push([connectionId, data]);
    return true;
  }
  close(connectionId: string): boolean {
    this.closed.push(connectionId);
    return this.live.delete(connectionId);
  }
  info(connectionId: string): ConnectionInfo | undefined {
    return this.live.get(connectionId);
  }
}

describe("API Gateway @connections through ApiGatewayManagementApiClient", () => {
  let registry: FakeRegistry;
  let server: AwsJsonServer;
  let endpoint: string;
  const clients: { destroy(): void }[] = [];

  beforeEach(async () => {
    registry = new FakeRegistry();
    registry.live.set("conn=1/+", {
      connectedAt: new Date("2026-01-02T03:04:05.000Z"),
      sourceIp: "127.0.0.1",
      userAgent: "test-agent",
    });
    server = new AwsJsonServer({
      services: [],
      connections: registry,
      credentials: TEST_CREDENTIALS,
    });
    ({ endpoint } = await server.start());
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.close();
  });

  function client(endpointUrl = endpoint) {
    const created = new apiGateway.ApiGatewayManagementApiClient(clientConfig(endpointUrl));
    clients.push(created);
    return created;
  }

  it("posts the raw data to a live connection (ids are URL-encoded by the SDK)", async () => {
    const data = Buffer.from(JSON.stringify({ type: "event", n: 1 }));
    await client().send(
      new apiGateway.PostToConnectionCommand({ ConnectionId: "conn=1/+", Data: data }),
    );
    expect(registry.sent).toEqual([["conn=1/+", data]]);
  });

  it("keeps a base path (the stage) in the endpoint", async () => {
    const staged = client(`${endpoint}/local`);
    await staged.send(
      new apiGateway.PostToConnectionCommand({ ConnectionId: "conn=1/+", Data: "hello" }),
    );
    expect(registry.sent.map(([, data]) => data.toString())).toEqual(["hello"]);
  });

  it("answers GoneException for an unknown or closed connection", async () => {
    const post = new apiGateway.PostToConnectionCommand({ ConnectionId: "gone", Data: "x" });
    const error = await client()
      .send(post)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(apiGateway.GoneException);
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(410);
    const get = new apiGateway.GetConnectionCommand({ ConnectionId: "gone" });
    await expect(client().send(get)).rejects.toBeInstanceOf(apiGateway.GoneException);
  });

  it("describes and deletes a connection", async () => {
    const info = await client().send(
      new apiGateway.GetConnectionCommand({ ConnectionId: "conn=1/+" }),
    );
    expect(info.ConnectedAt).toEqual(new Date("2026-01-02T03:04:05.000Z"));
    expect(info.Identity).toEqual({ SourceIp: "127.0.0.1", UserAgent: "test-agent" });

    await client().send(new apiGateway.DeleteConnectionCommand({ ConnectionId: "conn=1/+" }));
    expect(registry.closed).toEqual(["conn=1/+"]);
    const again = new apiGateway.DeleteConnectionCommand({ ConnectionId: "conn=1/+" });
    await expect(client().send(again)).rejects.toBeInstanceOf(apiGateway.GoneException);
  });

  it("refuses a message over API Gateway's 128 KiB frame limit", async () => {
    const post = new apiGateway.PostToConnectionCommand({
      ConnectionId: "conn=1/+",
      Data: Buffer.alloc(128 * 1024 + 1, 97),
    });
    await expect(client().send(post)).rejects.toBeInstanceOf(apiGateway.PayloadTooLargeException);
    expect(registry.sent).toEqual([]);
  });

  it("refuses a request not signed with its credentials with 403, as API Gateway does", async () => {
    const unsigned = await fetch(`${endpoint}/@connections/conn%3D1%2F%2B`, {
      method: "POST",
      body: "hello",
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    const otherKey = new apiGateway.ApiGatewayManagementApiClient(
      clientConfig(endpoint, { accessKeyId: "AKIAOTHER", secretAccessKey: "x" }),
    );
    clients.push(otherKey);
    await expect(
      otherKey.send(
        new apiGateway.PostToConnectionCommand({
          ConnectionId: "conn=1/+",
          Data: Buffer.from("x"),
        }),
      ),
    ).rejects.toMatchObject({
      name: "UnrecognizedClientException",
      $metadata: { httpStatusCode: 403 },
    });
    expect(registry.sent).toEqual([]);
  });
});
