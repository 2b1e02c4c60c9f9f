import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

/** The access key the emulators accept: one pair per runtime start, given only to its functions. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function randomCredentials(): LocalCredentials {
  return {
    accessKeyId: `LOCAL${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64url"),
  };
}

/** The error codes AWS answers a request it cannot authenticate with. */
export type SignatureErrorType =
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "UnrecognizedClientException"
  | "InvalidSignatureException";

/** A request refused before any service saw it: unsigned, or not signed with the runtime's key. */
export class SignatureRefusedError extends Error {
  override readonly name = "SignatureRefusedError";

  constructor(
    readonly type: SignatureErrorType,
    message: string,
  ) {
    super(message);
  }
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** How far a signature's time may be from now, as AWS allows. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Whom a request was signed as, for which region and service (the credential scope). */
export interface SignatureScope {
  accessKeyId: string;
  region: string;
  service: string;
}

export interface SignedRequest {
  method?: string;
  /** The request target as sent: path and query, still percent-encoded. */
  url?: string;
  headers: IncomingHttpHeaders;
}

/** How a service's requests are signed, where S3 differs from the others. */
export interface SigningRules {
  /** Whether the path is encoded once more before signing: every service but S3 does (default true). */
  uriEscapePath?: boolean;
  /**
   * Whether the payload may be left out of the signature, declared by `x-amz-content-sha256`
   * (UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER): S3 only. Otherwise a declared hash
   * must be the body's.
   */
  unsignedPayloads?: boolean;
}

/** The `x-amz-content-sha256` values that leave the payload unsigned. */
export const UNSIGNED_PAYLOADS: ReadonlySet<string> = new Set([
  "UNSIGNED-PAYLOAD",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
]);

/**
 * Checks AWS Signature Version 4 on every request to an emulator, as AWS does: the access key
 * must be the runtime's, and the signature is recomputed (with the SDK's own signer) over the
 * method, path, query, signed headers and body, and compared.
 */
export class RequestSignatures {
  constructor(
    private readonly credentials: LocalCredentials,
    private readonly rules: SigningRules = {},
  ) {}

  /**
   * Throws SignatureRefusedError unless the request is signed with the runtime's credentials;
   * returns the signature's scope, which names the region and service it was signed for.
   */
  async verify(request: SignedRequest, body: Uint8Array): Promise<SignatureScope> {
    const authorization = request.headers.authorization;
    if (!authorization) {
      throw new SignatureRefusedError(
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token",
      );
    }
    const parsed = AUTHORIZATION.exec(authorization);
    if (!parsed) {
      throw new SignatureRefusedError(
        "IncompleteSignatureException",
        "The Authorization header is not an AWS4-HMAC-SHA256 signature",
      );
    }
    const [, accessKeyId, day, region, service, signedHeaders, signature] = parsed as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (accessKeyId !== this.credentials.accessKeyId) {
      throw new SignatureRefusedError(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    }
    const signingDate = this.signingDate(request.headers, day);
    const headers: Record<string, string> = {};
    const names = signedHeaders.split(";");
    if (!names.includes("host"))
      throw invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.");
    for (const name of names) {
      const value = request.headers[name];
      if (value === undefined) throw invalid(`The signed header '${name}' is missing`);
      headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    // The signer trusts a declared payload hash, so it must be the body's.
    const declaredHash = headers["x-amz-content-sha256"];
    const unsigned =
      this.rules.unsignedPayloads === true &&
      declaredHash !== undefined &&
      UNSIGNED_PAYLOADS.has(declaredHash);
    if (
      declaredHash !== undefined &&
      !unsigned &&
      declaredHash !== createHash("sha256").update(body).digest("hex")
    ) {
      throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    const [path = "/", search = ""] = (request.url ?? "/").split("?", 2);
    const signer = new SignatureV4({
      credentials: this.credentials,
      region,
      service,
      sha256: Sha256,
      applyChecksum: false,
      uriEscapePath: this.rules.uriEscapePath ?? true,
    });
    const recomputed = await signer.sign(
      {
        method: request.method ?? "GET",
        protocol: "http:",
        hostname: headers.host ?? "",
        path,
        query: queryOf(search),
        headers,
        body,
      },
      { signingDate },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(recomputed.headers.authorization))?.[1];
    if (!expected || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
      throw invalid(
        "The request signature we calculated does not match the signature you provided. " +
          "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      );
    }
    return { accessKeyId, region, service };
  }

  private signingDate(headers: IncomingHttpHeaders, scopeDay: string): Date {
    const amzDate = headers["x-amz-date"];
    const parts = typeof amzDate === "string" ? AMZ_DATE.exec(amzDate) : null;
    if (!parts) throw invalid("The request must carry an X-Amz-Date in ISO 8601 basic format");
    const [, year, month, date, hours, minutes, seconds] = parts.map(Number) as number[];
    const signed = new Date(Date.UTC(year!, month! - 1, date, hours, minutes, seconds));
    if ((amzDate as string).slice(0, 8) !== scopeDay) {
      throw invalid(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP",
      );
    }
    if (Math.abs(Date.now() - signed.getTime()) > MAX_CLOCK_SKEW_MS) {
      throw invalid(`Signature expired: ${amzDate} is more than 15 minutes from now`);
    }
    return signed;
  }
}

function invalid(message: string): SignatureRefusedError {
  return new SignatureRefusedError("InvalidSignatureException", message);
}

/** The query as the signer wants it: decoded names and values, repeated names as arrays. */
function queryOf(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    const previous = query[name];
    query[name] = previous === undefined ? value : [previous, value].flat();
  }
  return query;
}
