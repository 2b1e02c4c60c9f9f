import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { LocalCredentials } from "../../src/aws/protocol/RequestSignatures";

/** The real AWS SDK v3 clients the handlers use, for driving the emulators in tests. */
export * as sfn from "@aws-sdk/client-sfn";
export * as eventBridge from "@aws-sdk/client-eventbridge";
export * as apiGateway from "@aws-sdk/client-apigatewaymanagementapi";
export * as s3 from "@aws-sdk/client-s3";
export * as codeBuild from "@aws-sdk/client-codebuild";

/** The credentials the tests' emulators accept, as a runtime's accept its own. */
export const TEST_CREDENTIALS: LocalCredentials = {
  accessKeyId: "LOCALTESTKEY",
  secretAccessKey: "test-secret",
};

/** Settings every test client needs: the local endpoint, a region, and the emulators' credentials. */
export function clientConfig(endpoint: string, credentials = TEST_CREDENTIALS) {
  return { endpoint, region: "us-east-1", credentials, maxAttempts: 1 };
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The headers the SDK would send with this request, SigV4 signature included. */
export async function signedHeaders(
  url: string,
  request: RawRequest = {},
  options: { service?: string; credentials?: LocalCredentials } = {},
): Promise<Record<string, string>> {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: options.credentials ?? TEST_CREDENTIALS,
    region: "us-east-1",
    service: options.service ?? "states",
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: request.method ?? "POST",
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { host: target.host, ...request.headers },
    ...(request.body !== undefined && { body: request.body }),
  });
  // fetch sends the same Host itself, and refuses to be given one.
  const headers = { ...signed.headers };
  delete headers.host;
  return headers;
}

/** A raw request signed as the SDK signs one, to assert on what goes over the wire. */
export async function signedFetch(
  url: string,
  request: RawRequest = {},
  options: { service?: string; credentials?: LocalCredentials } = {},
): Promise<Response> {
  return fetch(url, {
    method: request.method ?? "POST",
    headers: await signedHeaders(url, request, options),
    ...(request.body !== undefined && { body: request.body }),
  });
}
