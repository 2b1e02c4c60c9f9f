import { AwsServiceError } from "../protocol/AwsServiceError";

/** An `aws-chunked` body taken apart: the object's bytes and the trailing headers. */
export interface ChunkedPayload {
  payload: Buffer;
  /** Lower-cased names, e.g. `x-amz-checksum-crc32`. */
  trailers: Record<string, string>;
}

const CRLF = Buffer.from("\r\n");

/**
 * Decodes the `aws-chunked` content encoding the SDK uses for a body it streams
 * (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`): `<hex size>\r\n<bytes>\r\n` chunks, a zero-size chunk,
 * then trailer lines (the checksum) and an empty line.
 */
export function decodeAwsChunked(body: Buffer): ChunkedPayload {
  const chunks: Buffer[] = [];
  let position = 0;
  const line = (): string => {
    const end = body.indexOf(CRLF, position);
    if (end < 0) throw malformed();
    const text = body.subarray(position, end).toString("latin1");
    position = end + CRLF.length;
    return text;
  };
  for (;;) {
    // A signed chunk would carry `;chunk-signature=…` after the size; only the size matters here.
    const sizeText = line().split(";", 1)[0]!;
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformed();
    const size = Number.parseInt(sizeText, 16);
    if (size === 0) break;
    if (position + size + CRLF.length > body.length) throw malformed();
    chunks.push(body.subarray(position, position + size));
    position += size;
    if (!body.subarray(position, position + CRLF.length).equals(CRLF)) throw malformed();
    position += CRLF.length;
  }
  const trailers: Record<string, string> = {};
  for (let trailer = line(); trailer !== ""; trailer = line()) {
    const colon = trailer.indexOf(":");
    if (colon <= 0) throw malformed();
    trailers[trailer.slice(0, colon).trim().toLowerCase()] = trailer.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}

function malformed(): AwsServiceError {
  return new AwsServiceError("IncompleteBody", "The aws-chunked request body is malformed", 400);
}
