import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { AwsServiceError } from "../protocol/AwsServiceError";

/** An object as S3 describes it, with its bytes. */
export interface StoredObject {
  key: string;
  body: Buffer;
  contentType: string;
  /** The quoted MD5 of the body, as S3 gives a single-part object's ETag. */
  etag: string;
  /** Epoch ms. */
  lastModified: number;
  /** The body's CRC32, base64 of its 4 big-endian bytes (`x-amz-checksum-crc32`). */
  crc32: string;
}

type ObjectMetadata = Omit<StoredObject, "body">;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/** The CRC32 of a body as S3 writes it in `x-amz-checksum-crc32`. */
export function crc32Checksum(body: Uint8Array): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc32(body));
  return bytes.toString("base64");
}

/**
 * The S3 emulator's buckets on disk: one directory per bucket, one file per object named by the
 * SHA-256 of its key (keys are up to 1 KiB of any characters, which no file name can hold), holding
 * a JSON line of metadata and then the body. Written to a temporary file and renamed, so a reader
 * sees the old object or the new one, never half of one; readable by this user only.
 */
export class ObjectStore {
  private readonly buckets = new Set<string>();

  constructor(private readonly directory: string) {}

  /** Makes a bucket exist (the runtime's own, created at start; objects from a previous run stay). */
  async createBucket(bucket: string): Promise<void> {
    if (!BUCKET_NAME.test(bucket) || bucket.includes("..")) {
      throw new Error(`${bucket} is not a valid S3 bucket name`);
    }
    await mkdir(path.join(this.directory, bucket), { recursive: true, mode: 0o700 });
    this.buckets.add(bucket);
  }

  async put(bucket: string, key: string, body: Buffer, contentType: string): Promise<StoredObject> {
    const file = this.fileOf(bucket, key);
    const metadata: ObjectMetadata = {
      key,
      contentType,
      etag: `"${createHash("md5").update(body).digest("hex")}"`,
      lastModified: Date.now(),
      crc32: crc32Checksum(body),
    };
    const temporary = `${file}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(
        temporary,
        Buffer.concat([Buffer.from(`${JSON.stringify(metadata)}\n`), body]),
        {
          mode: 0o600,
        },
      );
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return { ...metadata, body };
  }

  /** The object, or undefined when the bucket has no such key. */
  async get(bucket: string, key: string): Promise<StoredObject | undefined> {
    let content: Buffer;
    try {
      content = await readFile(this.fileOf(bucket, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const newline = content.indexOf(0x0a);
    const metadata = JSON.parse(content.subarray(0, newline).toString("utf8")) as ObjectMetadata;
    return { ...metadata, body: content.subarray(newline + 1) };
  }

  /** Removes the object; removing one that is not there succeeds, as in S3. */
  async delete(bucket: string, key: string): Promise<void> {
    await rm(this.fileOf(bucket, key), { force: true });
  }

  private fileOf(bucket: string, key: string): string {
    if (!this.buckets.has(bucket)) {
      throw new AwsServiceError("NoSuchBucket", "The specified bucket does not exist", 404);
    }
    if (key === "") throw new AwsServiceError("InvalidArgument", "The object key is empty", 400);
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      throw new AwsServiceError("KeyTooLongError", "Your key is too long", 400);
    }
    const name = createHash("sha256").update(key).digest("hex");
    return path.join(this.directory, bucket, name);
  }
}
