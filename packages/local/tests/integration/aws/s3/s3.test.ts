import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectStore } from "../../../../src/aws/s3/ObjectStore";
import { S3Emulator } from "../../../../src/aws/s3/S3Emulator";
import {
  clientConfig,
  s3,
  signedFetch,
  signedHeaders,
  TEST_CREDENTIALS,
} from "../../../support/sdk";
import { tempDir } from "../../../support/tempDir";

const BUCKET = "amelia-checks";

describe("S3Emulator through S3Client", () => {
  const dir = tempDir("s3");
  let emulator: S3Emulator;
  let endpoint: string;
  let client: s3.S3Client;

  beforeAll(async () => {
    const store = new ObjectStore(dir.path);
    await store.createBucket(BUCKET);
    emulator = new S3Emulator({ store, credentials: TEST_CREDENTIALS, maxObjectBytes: 1024 });
    ({ endpoint } = await emulator.start());
    client = new s3.S3Client({ ...clientConfig(endpoint), forcePathStyle: true });
  });
  afterAll(async () => {
    client.destroy();
    await emulator.close();
    dir.remove();
  });

  const get = async (Key: string) => {
    const object = await client.send(new s3.GetObjectCommand({ Bucket: BUCKET, Key }));
    return { ...object, text: await object.Body!.transformToString() };
  };

  it("puts, gets and deletes objects, keys with any characters included", async () => {
    const key = "sources/run 1+ü/ä.zip";
    const put = await client.send(
      new s3.PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: Buffer.from("zip bytes"),
        ContentType: "application/zip",
      }),
    );
    // The MD5 of the body, as S3 answers for a single-part object.
    expect(put.ETag).toBe(`"${createHash("md5").update("zip bytes").digest("hex")}"`);

    const object = await get(key);
    expect(object).toMatchObject({ text: "zip bytes", ContentType: "application/zip" });
    expect(object.ETag).toBe(put.ETag);
    expect(object.ContentLength).toBe(9);
    expect(object.LastModified).toBeInstanceOf(Date);

    const head = await client.send(new s3.HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head).toMatchObject({ ContentLength: 9, ETag: put.ETag });

    await client.send(new s3.DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    await expect(get(key)).rejects.toBeInstanceOf(s3.NoSuchKey);
    // Deleting what is not there succeeds, as in S3.
    await client.send(new s3.DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  });

  it("takes a streamed body (aws-chunked, its CRC32 in a trailer) and a replaced object", async () => {
    const Key = "results/r1/results.json";
    await client.send(
      new s3.PutObjectCommand({
        Bucket: BUCKET,
        Key,
        Body: Readable.from([Buffer.from('{"results":'), Buffer.from("[]}")]),
        ContentLength: 14,
      }),
    );
    expect((await get(Key)).text).toBe('{"results":[]}');
    await client.send(new s3.PutObjectCommand({ Bucket: BUCKET, Key, Body: "second" }));
    expect((await get(Key)).text).toBe("second");
  });

  it("answers a missing key with NoSuchKey (404 XML) and a missing one on HEAD with NotFound", async () => {
    const error = await get("no/such/key").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(s3.NoSuchKey);
    expect((error as s3.NoSuchKey).$metadata.httpStatusCode).toBe(404);
    const head = client.send(new s3.HeadObjectCommand({ Bucket: BUCKET, Key: "no/such/key" }));
    await expect(head).rejects.toBeInstanceOf(s3.NotFound);
    const otherBucket = client.send(new s3.GetObjectCommand({ Bucket: "other-bucket", Key: "k" }));
    await expect(otherBucket).rejects.toBeInstanceOf(s3.NoSuchBucket);
  });

  it("keeps each object in a file only this user can read", async () => {
    await client.send(new s3.PutObjectCommand({ Bucket: BUCKET, Key: "private", Body: "x" }));
    const files = readdirSync(join(dir.path, BUCKET));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(statSync(join(dir.path, BUCKET, file)).mode & 0o777).toBe(0o600);
    }
  });

  it("refuses an object over the size limit, and a body that does not match its checksum", async () => {
    const large = client.send(
      new s3.PutObjectCommand({ Bucket: BUCKET, Key: "large", Body: Buffer.alloc(2048) }),
    );
    await expect(large).rejects.toMatchObject({ name: "EntityTooLarge" });
    const url = `${endpoint}/${BUCKET}/mismatch`;
    const mismatched = await signedFetch(
      url,
      { method: "PUT", body: "abc", headers: { "x-amz-checksum-crc32": "AAAAAA==" } },
      { service: "s3" },
    );
    expect(mismatched.status).toBe(400);
    expect(await mismatched.text()).toContain("<Code>BadDigest</Code>");
    await expect(get("mismatch")).rejects.toBeInstanceOf(s3.NoSuchKey);
  });

  describe("refuses every request not signed with its credentials, as S3 does", () => {
    const url = () => `${endpoint}/${BUCKET}/private`;
    const code = async (response: Response) => ({
      status: response.status,
      code: /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1],
    });

    it("unsigned", async () => {
      expect(await code(await fetch(url()))).toEqual({ status: 403, code: "AccessDenied" });
      const put = await fetch(url(), { method: "PUT", body: "overwritten" });
      expect(await code(put)).toEqual({ status: 403, code: "AccessDenied" });
      expect((await get("private")).text).toBe("x");
    });

    it("with another key or secret, or a body changed after signing", async () => {
      const otherKey = await signedFetch(
        url(),
        { method: "GET" },
        { service: "s3", credentials: { accessKeyId: "AKIAOTHER", secretAccessKey: "x" } },
      );
      expect(await code(otherKey)).toEqual({ status: 403, code: "InvalidAccessKeyId" });
      const otherSecret = await signedFetch(
        url(),
        { method: "GET" },
        { service: "s3", credentials: { ...TEST_CREDENTIALS, secretAccessKey: "guessed" } },
      );
      expect(await code(otherSecret)).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
      const signed = await signedFetch(url(), { method: "PUT", body: "signed" }, { service: "s3" });
      expect(signed.status).toBe(200);
      const tampered = await fetch(url(), {
        method: "PUT",
        headers: await signedHeaders(url(), { method: "PUT", body: "signed" }, { service: "s3" }),
        body: "tampered",
      });
      expect(await code(tampered)).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
      expect((await get("private")).text).toBe("signed");
    });

    it("answers no CORS", async () => {
      const preflight = await fetch(url(), {
        method: "OPTIONS",
        headers: { origin: "http://evil.test", "access-control-request-method": "GET" },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
      const signed = await signedFetch(
        url(),
        { method: "GET", headers: { origin: "http://evil.test" } },
        { service: "s3" },
      );
      expect(signed.status).toBe(200);
      expect(signed.headers.get("access-control-allow-origin")).toBeNull();
    });
  });
});
