import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";

/** A source archive the emulator will not unpack; CodeBuild fails its build in DOWNLOAD_SOURCE. */
export class SourceArchiveError extends Error {
  override readonly name = "SourceArchiveError";
}

export interface ExtractLimits {
  /** The most bytes the archive may unpack to, all files together. */
  maxBytes: number;
  maxEntries: number;
}

interface Entry {
  name: string;
  kind: "file" | "directory" | "symlink";
  /** Permission bits for a file: 0o755 when the archive marks it executable, else 0o644. */
  mode: number;
  /** Unpacked when written, so one entry at a time is in memory. */
  data: () => Buffer;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const UNIX = 3;
const FILE_TYPE_MASK = 0o170000;
const SYMLINK = 0o120000;
const DIRECTORY = 0o040000;

/**
 * Unpacks a zip archive (stored or deflated entries, as any zip tool writes) into `destination`,
 * an empty directory. Unix permissions from the archive keep executables executable; symbolic
 * links are made last, and no entry may lie under one, so nothing is written outside
 * `destination`. Names escaping it, encrypted entries, ZIP64 and archives over the limits are
 * refused.
 */
export async function extractZip(
  archive: Buffer,
  destination: string,
  limits: ExtractLimits,
): Promise<void> {
  const entries = readEntries(archive, limits);
  const links = new Set(entries.filter((entry) => entry.kind === "symlink").map((e) => e.name));
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) throw new SourceArchiveError(`${entry.name} is in the archive twice`);
    seen.add(entry.name);
    const parents = entry.name.split("/").slice(0, -1);
    for (let depth = 1; depth <= parents.length; depth++) {
      if (links.has(parents.slice(0, depth).join("/"))) {
        throw new SourceArchiveError(`${entry.name} lies under a symbolic link of the archive`);
      }
    }
  }
  for (const entry of entries) {
    const target = path.join(destination, ...entry.name.split("/"));
    if (entry.kind === "directory") {
      await mkdir(target, { recursive: true, mode: 0o755 });
    } else if (entry.kind === "file") {
      await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
      await writeFile(target, entry.data(), { mode: entry.mode, flag: "wx" });
    }
  }
  for (const entry of entries) {
    if (entry.kind !== "symlink") continue;
    const target = path.join(destination, ...entry.name.split("/"));
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await symlink(entry.data().toString("utf8"), target);
  }
}

function readEntries(archive: Buffer, limits: ExtractLimits): Entry[] {
  const end = endOfCentralDirectory(archive);
  const count = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    throw new SourceArchiveError("ZIP64 archives are not supported locally");
  }
  if (count > limits.maxEntries) {
    throw new SourceArchiveError(`The archive has over ${limits.maxEntries} entries`);
  }
  const entries: Entry[] = [];
  let total = 0;
  for (let index = 0; index < count; index++) {
    if (offset + 46 > archive.length || archive.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new SourceArchiveError("The archive's central directory is damaged");
    }
    const madeBy = archive.readUInt16LE(offset + 4) >> 8;
    const flags = archive.readUInt16LE(offset + 8);
    const method = archive.readUInt16LE(offset + 10);
    const checksum = archive.readUInt32LE(offset + 16);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const size = archive.readUInt32LE(offset + 24);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const attributes = archive.readUInt32LE(offset + 38);
    const localHeader = archive.readUInt32LE(offset + 42);
    const rawName = archive.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    offset += 46 + nameLength + extraLength + commentLength;

    if (flags & 1) throw new SourceArchiveError(`${rawName} is encrypted`);
    total += size;
    if (total > limits.maxBytes) {
      throw new SourceArchiveError(`The archive unpacks to over ${limits.maxBytes} bytes`);
    }
    const unixMode = madeBy === UNIX ? attributes >>> 16 : 0;
    const isDirectory = rawName.endsWith("/") || (unixMode & FILE_TYPE_MASK) === DIRECTORY;
    const name = entryName(rawName);
    const data = () =>
      entryData(archive, localHeader, { name, method, compressedSize, size, checksum });
    entries.push({
      name,
      kind: isDirectory
        ? "directory"
        : (unixMode & FILE_TYPE_MASK) === SYMLINK
          ? "symlink"
          : "file",
      mode: unixMode & 0o111 ? 0o755 : 0o644,
      data,
    });
  }
  return entries;
}

function endOfCentralDirectory(archive: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  const earliest = Math.max(0, archive.length - 22 - 0xffff);
  for (let offset = archive.length - 22; offset >= earliest; offset--) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  throw new SourceArchiveError("The source is not a zip archive");
}

/** The entry's path, refused if it is absolute or climbs out of the destination. */
function entryName(raw: string): string {
  const name = raw.replace(/\/+$/, "");
  const segments = name.split("/");
  if (
    name === "" ||
    name.startsWith("/") ||
    name.includes("\\") ||
    name.includes("\0") ||
    /^[A-Za-z]:/.test(name) ||
    segments.some((segment) => segment === ".." || segment === "." || segment === "")
  ) {
    throw new SourceArchiveError(`The archive entry ${JSON.stringify(raw)} is not a safe path`);
  }
  return name;
}

function entryData(
  archive: Buffer,
  localHeader: number,
  entry: { name: string; method: number; compressedSize: number; size: number; checksum: number },
): Buffer {
  if (
    localHeader + 30 > archive.length ||
    archive.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER
  ) {
    throw new SourceArchiveError(`${entry.name}: the archive is damaged`);
  }
  const start =
    localHeader +
    30 +
    archive.readUInt16LE(localHeader + 26) +
    archive.readUInt16LE(localHeader + 28);
  const compressed = archive.subarray(start, start + entry.compressedSize);
  if (compressed.length !== entry.compressedSize) {
    throw new SourceArchiveError(`${entry.name}: the archive is truncated`);
  }
  let data: Buffer;
  if (entry.method === 0) {
    data = compressed;
  } else if (entry.method === 8) {
    try {
      // The declared size bounds the output: a lying entry cannot inflate without end.
      data = inflateRawSync(compressed, { maxOutputLength: Math.max(entry.size, 1) });
    } catch {
      throw new SourceArchiveError(`${entry.name}: the compressed data is damaged`);
    }
  } else {
    throw new SourceArchiveError(
      `${entry.name}: compression method ${entry.method} is not supported`,
    );
  }
  if (data.length !== entry.size || crc32(data) !== entry.checksum) {
    throw new SourceArchiveError(`${entry.name}: the data does not match its checksum`);
  }
  return data;
}
