import { isUtf8 } from "node:buffer";
import { WorkspaceError } from "../errors";

/**
 * Binary, for an agent: a NUL byte (git's own test) or bytes that are not UTF-8. Such a file is
 * never decoded as text, which would garble it, nor written back from that text.
 */
export function looksBinary(bytes: Buffer): boolean {
  return bytes.includes(0) || !isUtf8(bytes);
}

export function binaryFileError(path: string, size: number): WorkspaceError {
  return new WorkspaceError(
    `Could not read ${path}: it is a binary file (${size} bytes); only text files can be read or edited`,
    path,
  );
}

/** A whole file's content as text; refuses a binary file. */
export function textOf(path: string, bytes: Buffer): string {
  if (looksBinary(bytes)) throw binaryFileError(path, bytes.length);
  return bytes.toString("utf8");
}
