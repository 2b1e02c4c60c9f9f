import { describe, expect, it } from "vitest";
import { decodeAwsChunked } from "../../../../src/aws/s3/awsChunked";

describe("decodeAwsChunked", () => {
  it("joins the chunks and reads the trailers", () => {
    const body = Buffer.from(
      "3\r\nabc\r\na\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:AAAA==\r\n\r\n",
    );
    expect(decodeAwsChunked(body)).toEqual({
      payload: Buffer.from("abc0123456789"),
      trailers: { "x-amz-checksum-crc32": "AAAA==" },
    });
  });

  it("refuses a body that is cut short or not chunked", () => {
    for (const text of ["3\r\nab", "zz\r\nabc\r\n0\r\n\r\n", "3\r\nabcX\r\n0\r\n\r\n", "0\r\n"]) {
      expect(() => decodeAwsChunked(Buffer.from(text))).toThrow(/malformed/);
    }
  });
});
