import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "@amelia/core/definitions/limits";
import { httpRoute, type HttpRequest } from "../../../src/middleware/httpApi";
import { httpEvent } from "./events";
import { lambdaContext } from "./lambdaContext";

const JSON_HEADERS = { "content-type": "application/json" };

/** A route that answers with the length of the `d` string it was sent. */
const echoLength = httpRoute(async ({ body }: HttpRequest) => ({
  status: 200,
  body: { length: (body as { d: string }).d.length },
}));

/** `{"d":"ééé…<tail>"}`: two UTF-8 bytes per "é", so half as many characters as bytes. */
function multiByteBody(bytes: number, tail = ""): string {
  const frame = Buffer.byteLength(`{"d":"${tail}"}`);
  const body = `{"d":"${"é".repeat((bytes - frame) / 2)}${tail}"}`;
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

async function post(body: string, isBase64Encoded = false) {
  const result = await echoLength(
    httpEvent("POST", { body, headers: JSON_HEADERS, isBase64Encoded }),
    lambdaContext(),
  );
  return { status: result.statusCode, body: JSON.parse(result.body ?? "") as unknown };
}

describe("the request body limit counts UTF-8 bytes", () => {
  const tooLarge = {
    status: 413,
    body: {
      code: "PAYLOAD_TOO_LARGE",
      error: `Request body exceeds ${MAX_BODY_BYTES} bytes`,
      details: { limitBytes: MAX_BODY_BYTES },
    },
  };

  it("takes a multi-byte body of exactly the limit", async () => {
    const body = multiByteBody(MAX_BODY_BYTES);
    expect(await post(body)).toEqual({ status: 200, body: { length: (MAX_BODY_BYTES - 8) / 2 } });
  });

  it("refuses a multi-byte body one byte over, though it has half as many characters", async () => {
    const body = multiByteBody(MAX_BODY_BYTES + 1, "a");
    expect(body.length).toBeLessThan(MAX_BODY_BYTES / 2 + 16);
    expect(await post(body)).toEqual(tooLarge);
  });

  it("counts the decoded bytes of a base64-encoded body", async () => {
    const over = Buffer.from(multiByteBody(MAX_BODY_BYTES + 1, "a")).toString("base64");
    expect(await post(over, true)).toEqual(tooLarge);
    const within = Buffer.from(multiByteBody(MAX_BODY_BYTES)).toString("base64");
    expect((await post(within, true)).status).toBe(200);
  });
});

describe("a request body must be declared JSON", () => {
  /** A route that answers with the body it was handed, counting its calls. */
  function recordingRoute() {
    const calls: unknown[] = [];
    const route = httpRoute(async ({ body }: HttpRequest) => {
      calls.push(body);
      return { status: 200, body };
    });
    const send = async (method: string, body?: string, contentType?: string) => {
      const headers: Record<string, string> =
        contentType === undefined ? {} : { "content-type": contentType };
      const result = await route(
        httpEvent(method, { headers, ...(body !== undefined && { body }) }),
        lambdaContext(),
      );
      return { status: result.statusCode, body: JSON.parse(result.body ?? "") as unknown };
    };
    return { calls, send };
  }

  it.each(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"])(
    "%s → 415 UNSUPPORTED_MEDIA_TYPE, and the route never runs",
    async (contentType) => {
      const { calls, send } = recordingRoute();
      expect(await send("POST", '{"issueId":"X-1"}', contentType)).toEqual({
        status: 415,
        body: {
          code: "UNSUPPORTED_MEDIA_TYPE",
          error: `A request body must be sent with content-type application/json, not ${contentType}`,
        },
      });
      expect(calls).toEqual([]);
    },
  );

  it("a body without a content-type → 415", async () => {
    const { calls, send } = recordingRoute();
    expect(await send("POST", '{"issueId":"X-1"}')).toEqual({
      status: 415,
      body: {
        code: "UNSUPPORTED_MEDIA_TYPE",
        error: "A request body must be sent with content-type application/json",
      },
    });
    expect(calls).toEqual([]);
  });

  it.each([
    "application/json",
    "application/json; charset=utf-8",
    'Application/JSON;charset="UTF-8"',
  ])("%s is taken", async (contentType) => {
    const { send } = recordingRoute();
    expect(await send("POST", '{"issueId":"X-1"}', contentType)).toEqual({
      status: 200,
      body: { issueId: "X-1" },
    });
  });

  it("no body needs no content-type (GET, and a POST such as approve)", async () => {
    const { calls, send } = recordingRoute();
    expect(await send("GET")).toEqual({ status: 200, body: {} });
    expect(await send("POST")).toEqual({ status: 200, body: {} });
    expect(await send("POST", "")).toEqual({ status: 200, body: {} });
    expect(calls).toEqual([{}, {}, {}]);
  });
});
