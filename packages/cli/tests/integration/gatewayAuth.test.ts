import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli";

const TOKEN = "right-token-3b9e";
/** The requests the gateway saw, so a test can tell the CLI sent what it was given. */
const seen: IncomingHttpHeaders[] = [];
let server: Server;
let url: string;

/**
 * A stand-in for API Gateway in front of the API: its authorizer answers for itself, without the
 * product's error code: 401 `{"message":"Unauthorized"}` with no token, 403
 * `{"message":"Forbidden"}` with a wrong one.
 */
beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request.headers);
    const authorization = request.headers.authorization;
    const [status, body] =
      authorization === undefined
        ? [401, { message: "Unauthorized" }]
        : authorization !== `Bearer ${TOKEN}`
          ? [403, { message: "Forbidden" }]
          : [200, { workflows: [] }];
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("a server behind API Gateway", () => {
  it("a wrong token (403 Forbidden): UNAUTHORIZED, the hint that it does not match, exit 1", async () => {
    const wrong = "wrong-token-77c1";
    const { code, stdout, stderr } = await runCli(["status"], {
      env: { AMELIA_API_URL: url, AMELIA_API_TOKEN: wrong },
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error UNAUTHORIZED: A valid API token is required (the API gateway answered 403 Forbidden)\n" +
        "AMELIA_API_TOKEN does not match the server's token.\n",
    );
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${wrong}`);
    expect(`${stdout}${stderr}`).not.toContain(wrong);
  });

  it("no token (401 Unauthorized): UNAUTHORIZED and a hint to set it, also with --json", async () => {
    const { code, stderr } = await runCli(["status", "--json"], { env: { AMELIA_API_URL: url } });
    expect(code).toBe(1);
    expect(JSON.parse(stderr)).toEqual({
      code: "UNAUTHORIZED",
      error: "A valid API token is required (the API gateway answered 401 Unauthorized)",
      hint: "The server needs a token: set AMELIA_API_TOKEN.",
    });
  });

  it("the right token goes through", async () => {
    const { code, stdout } = await runCli(["status", "--json"], {
      env: { AMELIA_API_URL: url, AMELIA_API_TOKEN: TOKEN },
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ workflows: [] });
  });
});
