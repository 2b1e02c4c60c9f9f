import { lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractZip } from "../../../../src/aws/codebuild/sourceArchive";
import { tempDir } from "../../../support/tempDir";
import { zipOf } from "../../../support/zip";

const LIMITS = { maxBytes: 64 * 1024, maxEntries: 100 };

describe("extractZip", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir("unzip");
  });
  afterEach(() => dir.remove());

  it("unpacks files with their executable bit, directories and links", async () => {
    const archive = zipOf({
      "bin/run.sh": { content: "#!/bin/sh\n", mode: 0o100755 },
      "src/a.txt": "a".repeat(10_000),
      "link.txt": { content: "src/a.txt", mode: 0o120777 },
    });
    await extractZip(archive, dir.path, LIMITS);
    expect(statSync(join(dir.path, "bin/run.sh")).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir.path, "src/a.txt")).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir.path, "src/a.txt"), "utf8")).toHaveLength(10_000);
    expect(lstatSync(join(dir.path, "link.txt")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir.path, "link.txt"))).toBe("src/a.txt");
  });

  it("refuses entries that would land outside the directory", async () => {
    for (const name of ["../escape.txt", "/etc/escape", "a/../../escape", "a\\..\\b"]) {
      await expect(extractZip(zipOf({ [name]: "x" }), dir.path, LIMITS)).rejects.toThrow(
        /not a safe path/,
      );
    }
    // A link to the outside, then a file written through it.
    const throughLink = zipOf({
      out: { content: "/tmp", mode: 0o120777 },
      "out/planted.txt": "x",
    });
    await expect(extractZip(throughLink, dir.path, LIMITS)).rejects.toThrow(/symbolic link/);
  });

  it("refuses what is not a zip, and archives over the limits", async () => {
    await expect(extractZip(Buffer.from("not a zip"), dir.path, LIMITS)).rejects.toThrow(
      /not a zip/,
    );
    const big = zipOf({ "big.txt": "x".repeat(128 * 1024) });
    await expect(extractZip(big, dir.path, LIMITS)).rejects.toThrow(/over 65536 bytes/);
    const many = zipOf(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, ""])));
    await expect(extractZip(many, dir.path, LIMITS)).rejects.toThrow(/over 100 entries/);
  });
});
