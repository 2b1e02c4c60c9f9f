import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody } from "../../http/requests";
import { consoleLog, type EmulatorLog } from "../../log";
import { AwsServiceError } from "../protocol/AwsServiceError";
import { LoopbackEndpoint } from "../protocol/loopback";
import {
  RequestSignatures,
  SignatureRefusedError,
  UNSIGNED_PAYLOADS,
  type LocalCredentials,
  type SignatureErrorType,
} from "../protocol/RequestSignatures";
import { decodeAwsChunked } from "./awsChunked";
import { crc32Checksum, type ObjectStore, type StoredObject } from "./ObjectStore";

export interface S3EmulatorOptions {
  store: ObjectStore;
  /** The only credentials whose signatures it accepts. */
  credentials: LocalCredentials;
  /** 0 (the default) picks a free port, on the loopback interface. */
  port?: number;
  /** The largest object PutObject takes (default 512 MiB): bodies are held in memory. */
  maxObjectBytes?: number;
  log?: EmulatorLog;
}

const DEFAULT_MAX_OBJECT_BYTES = 512 * 1024 * 1024;
/** Room for the aws-chunked framing around a streamed body of the largest size. */
const CHUNK_FRAMING_BYTES = 1024 * 1024;
/** The only query parameter the SDK adds to the object operations emulated here. */
const OPERATION_QUERY = "x-id";

/** The S3 error for each way a request can fail authentication. */
const SIGNATURE_ERRORS: Record<SignatureErrorType, { code: string; status: number }> = {
  MissingAuthenticationTokenException: { code: "AccessDenied", status: 403 },
  IncompleteSignatureException: { code: "AuthorizationHeaderMalformed", status: 400 },
  UnrecognizedClientException: { code: "InvalidAccessKeyId", status: 403 },
  InvalidSignatureException: { code: "SignatureDoesNotMatch", status: 403 },
};

/**
 * S3's object operations (PutObject, GetObject, HeadObject, DeleteObject) at their REST-XML wire
 * protocol, path-style (`/<bucket>/<key>`, the SDK's `forcePathStyle: true`), over an
 * {@link ObjectStore}. Every request must be signed (SigV4, as S3 signs) with the runtime's
 * credentials; it binds the loopback interface and answers no CORS.
 */
export class S3Emulator extends LoopbackEndpoint {
  private readonly signatures: RequestSignatures;

  constructor(private readonly options: S3EmulatorOptions) {
    super(options.port);
    this.signatures = new RequestSignatures(options.credentials, {
      uriEscapePath: false,
      unsignedPayloads: true,
    });
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    this.serve(request, response).catch((error: unknown) => {
      if (error instanceof AwsServiceError) return sendError(request, response, error);
      (this.options.log ?? consoleLog)("S3 emulator request failed", { url: request.url, error });
      sendError(
        request,
        response,
        new AwsServiceError("InternalError", "The emulator failed unexpectedly", 500),
      );
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const maxObjectBytes = this.options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    let body: Buffer;
    try {
      body = await readBody(request, maxObjectBytes + CHUNK_FRAMING_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      throw tooLarge(maxObjectBytes);
    }
    await this.authenticate(request, body);
    const url = new URL(request.url ?? "/", "http://localhost");
    const { bucket, key } = objectAddress(url.pathname);
    const unsupported = [...url.searchParams.keys()].filter((name) => name !== OPERATION_QUERY);
    if (key === "" || unsupported.length > 0) {
      throw notImplemented(
        `${request.method} ${url.pathname}${url.search} is not emulated: only PutObject, ` +
          "GetObject, HeadObject and DeleteObject on path-style object URLs",
      );
    }
    const store = this.options.store;
    switch (request.method) {
      case "PUT": {
        const payload = objectPayload(request, body, maxObjectBytes);
        const contentType = header(request, "content-type") ?? "binary/octet-stream";
        const stored = await store.put(bucket, key, payload.bytes, contentType);
        response.writeHead(200, {
          etag: stored.etag,
          ...(payload.crc32 !== undefined && { "x-amz-checksum-crc32": stored.crc32 }),
          "x-amz-request-id": requestId(),
        });
        response.end();
        return;
      }
      case "GET":
      case "HEAD": {
        if (header(request, "range") !== undefined) {
          throw notImplemented("Range requests are not emulated");
        }
        const stored = await store.get(bucket, key);
        if (!stored) {
          throw new AwsServiceError("NoSuchKey", "The specified key does not exist.", 404);
        }
        response.writeHead(200, objectHeaders(request, stored));
        response.end(request.method === "GET" ? stored.body : undefined);
        return;
      }
      case "DELETE":
        await store.delete(bucket, key);
        response.writeHead(204, { "x-amz-request-id": requestId() }).end();
        return;
      default:
        throw new AwsServiceError(
          "MethodNotAllowed",
          "The specified method is not allowed against this resource.",
          405,
        );
    }
  }

  private async authenticate(request: IncomingMessage, body: Buffer): Promise<void> {
    try {
      await this.signatures.verify(request, body);
    } catch (error) {
      if (!(error instanceof SignatureRefusedError)) throw error;
      const { code, status } = SIGNATURE_ERRORS[error.type];
      throw new AwsServiceError(code, error.message, status);
    }
    // S3 wants the payload's hash declared and signed (or declared unsigned) on every request.
    const declared = header(request, "x-amz-content-sha256");
    if (declared === undefined) {
      throw new AwsServiceError(
        "InvalidRequest",
        "Missing required header for this request: x-amz-content-sha256",
      );
    }
    if (declared.startsWith("STREAMING-") && !UNSIGNED_PAYLOADS.has(declared)) {
      throw notImplemented(
        `x-amz-content-sha256 ${declared} (signed chunks) is not emulated; ` +
          "the SDK's STREAMING-UNSIGNED-PAYLOAD-TRAILER is",
      );
    }
  }
}

/** The bucket and the (decoded) key of a path-style URL. */
function objectAddress(pathname: string): { bucket: string; key: string } {
  const slash = pathname.indexOf("/", 1);
  const bucket = pathname.slice(1, slash < 0 ? undefined : slash);
  const encodedKey = slash < 0 ? "" : pathname.slice(slash + 1);
  try {
    return { bucket: decodeURIComponent(bucket), key: decodeURIComponent(encodedKey) };
  } catch {
    throw new AwsServiceError("InvalidURI", "Couldn't parse the specified URI.");
  }
}

/** A PutObject body as sent (or decoded from aws-chunked), and the CRC32 it declares, if any. */
function objectPayload(
  request: IncomingMessage,
  body: Buffer,
  maxObjectBytes: number,
): { bytes: Buffer; crc32?: string } {
  const chunked = header(request, "x-amz-content-sha256") === "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  const { payload, trailers } = chunked
    ? decodeAwsChunked(body)
    : { payload: body, trailers: {} as Record<string, string> };
  if (payload.length > maxObjectBytes) throw tooLarge(maxObjectBytes);
  const declaredLength = header(request, "x-amz-decoded-content-length");
  if (chunked && declaredLength !== undefined && Number(declaredLength) !== payload.length) {
    throw new AwsServiceError(
      "IncompleteBody",
      "You did not provide the number of bytes specified by the Content-Length HTTP header",
    );
  }
  const checksums = { ...checksumHeaders(request), ...trailers };
  const algorithms = Object.keys(checksums).filter((name) => name.startsWith("x-amz-checksum-"));
  const other = algorithms.find((name) => name !== "x-amz-checksum-crc32");
  if (other) throw notImplemented(`${other} is not emulated: only CRC32 checksums are`);
  const md5 = header(request, "content-md5");
  if (md5 !== undefined && md5 !== createHash("md5").update(payload).digest("base64")) {
    throw new AwsServiceError(
      "BadDigest",
      "The Content-MD5 you specified did not match what we received.",
    );
  }
  const crc32 = checksums["x-amz-checksum-crc32"];
  if (crc32 !== undefined && crc32 !== crc32Checksum(payload)) {
    throw new AwsServiceError(
      "BadDigest",
      "The CRC32 you specified did not match the calculated checksum.",
    );
  }
  return { bytes: payload, ...(crc32 !== undefined && { crc32 }) };
}

function checksumHeaders(request: IncomingMessage): Record<string, string> {
  const checksums: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith("x-amz-checksum-") && name !== "x-amz-checksum-mode") {
      checksums[name] = String(value);
    }
  }
  return checksums;
}

function objectHeaders(request: IncomingMessage, stored: StoredObject): Record<string, string> {
  const checksumMode = header(request, "x-amz-checksum-mode") === "ENABLED";
  return {
    "content-type": stored.contentType,
    "content-length": String(stored.body.length),
    etag: stored.etag,
    "last-modified": new Date(stored.lastModified).toUTCString(),
    "x-amz-request-id": requestId(),
    // The SDK validates the body against it, as it does with S3's.
    ...(checksumMode && {
      "x-amz-checksum-crc32": stored.crc32,
      "x-amz-checksum-type": "FULL_OBJECT",
    }),
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function tooLarge(maxObjectBytes: number): AwsServiceError {
  return new AwsServiceError(
    "EntityTooLarge",
    `Your proposed upload exceeds the maximum allowed size (${maxObjectBytes} bytes locally)`,
  );
}

function notImplemented(message: string): AwsServiceError {
  return new AwsServiceError("NotImplemented", message, 501);
}

function requestId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** S3's error document; a HEAD answer has no body, so the SDK reads the status alone. */
function sendError(request: IncomingMessage, response: ServerResponse, error: AwsServiceError) {
  if (response.headersSent) {
    response.end();
    return;
  }
  const id = requestId();
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `<RequestId>${id}</RequestId></Error>`;
  response.writeHead(error.status, {
    "content-type": "application/xml",
    "x-amz-request-id": id,
    ...(request.method !== "HEAD" && { "content-length": String(Buffer.byteLength(xml)) }),
  });
  response.end(request.method === "HEAD" ? undefined : xml);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}
