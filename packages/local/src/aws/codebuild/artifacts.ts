import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import type { ObjectStore } from "../s3/ObjectStore";
import type { BuildspecArtifacts } from "./buildspec";

/** Artifacts that cannot be uploaded: CodeBuild fails UPLOAD_ARTIFACTS with CLIENT_ERROR. */
export class ArtifactsError extends Error {
  override readonly name = "ArtifactsError";
}

/** Where Packaging NONE puts the files: `<location>/<path>/<name>/<relative path>`. */
export interface ArtifactsDestination {
  bucket: string;
  /** `<path>/<name>`, either part possibly empty. */
  prefix: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".json": "application/json",
  ".log": "text/plain",
  ".txt": "text/plain",
};

/**
 * Uploads the files of `base-directory` that match the globs, each under the destination prefix
 * at its path relative to the base directory. The build wrote these files, so they are read
 * without following any symbolic link: a link to a file of the host is never uploaded.
 */
export async function uploadArtifacts(
  sourceDirectory: string,
  artifacts: BuildspecArtifacts,
  destination: ArtifactsDestination,
  store: ObjectStore,
  maxBytes: number,
): Promise<number> {
  const base = await baseDirectory(sourceDirectory, artifacts.baseDirectory);
  const patterns = artifacts.files.map(globPattern);
  const files = (await regularFiles(base)).filter((file) =>
    patterns.some((pattern) => pattern.test(file.relative)),
  );
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > maxBytes) {
    throw new ArtifactsError(`The artifacts come to ${total} bytes, over ${maxBytes} locally`);
  }
  for (const file of files) {
    const key = [destination.prefix, file.relative].filter((part) => part !== "").join("/");
    const contentType = CONTENT_TYPES[path.extname(file.relative)] ?? "binary/octet-stream";
    await store.put(destination.bucket, key, await readFile(file.absolute), contentType);
  }
  return files.length;
}

async function baseDirectory(sourceDirectory: string, relative: string): Promise<string> {
  const missing = new ArtifactsError(`no matching base directory path found for ${relative}`);
  let resolved: string;
  try {
    resolved = await realpath(path.join(sourceDirectory, relative));
  } catch {
    throw missing;
  }
  const root = await realpath(sourceDirectory);
  if (resolved !== root && !resolved.startsWith(`${root}${path.sep}`)) throw missing;
  if (!(await lstat(resolved)).isDirectory()) throw missing;
  return resolved;
}

interface ArtifactFile {
  absolute: string;
  /** With `/` separators, relative to the base directory. */
  relative: string;
  size: number;
}

async function regularFiles(directory: string, prefix = ""): Promise<ArtifactFile[]> {
  const files: ArtifactFile[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const absolute = path.join(directory, entry.name);
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      files.push(...(await regularFiles(absolute, relative)));
    } else if (entry.isFile()) {
      files.push({ absolute, relative, size: (await lstat(absolute)).size });
    }
  }
  return files;
}

/** A buildspec glob as a regular expression over `/`-separated relative paths. */
export function globPattern(glob: string): RegExp {
  const pattern = glob.replace(/^\.\//, "");
  let source = "";
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index]!;
    if (pattern.startsWith("**/", index)) {
      source += "(?:.*/)?";
      index += 2;
    } else if (pattern.startsWith("**", index)) {
      source += ".*";
      index += 1;
    } else if (character === "*") {
      source += "[^/]*";
    } else if (character === "?") {
      source += "[^/]";
    } else {
      source += character.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}
