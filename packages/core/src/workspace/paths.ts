import { lstat, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { PathOutsideWorkspaceError } from "./PathOutsideWorkspaceError";

/**
 * Checks the spelling of a workspace path and returns it normalised (`a/./b//c` → `a/b/c`).
 * Pure syntax: symlinks are judged by `resolveInside`, which needs the disk.
 */
export function normalizeWorkspacePath(path: string): string {
  if (path.includes("\0")) throw new PathOutsideWorkspaceError(path, "contains a NUL byte");
  if (path.includes("\\")) throw new PathOutsideWorkspaceError(path, "use / as the separator");
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) {
    throw new PathOutsideWorkspaceError(path, "absolute paths are not allowed");
  }
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    throw new PathOutsideWorkspaceError(path, "'..' segments are not allowed");
  }
  // Case-insensitive: on macOS and Windows `.GIT` is the same directory.
  if (segments.some((segment) => segment.toLowerCase() === ".git")) {
    throw new PathOutsideWorkspaceError(path, "the .git directory is off limits");
  }
  if (segments.length === 0) throw new PathOutsideWorkspaceError(path, "names no file");
  return segments.join("/");
}

/**
 * Resolves a workspace path to its real location on disk and refuses it unless that location is
 * inside `realRoot` (itself a realpath) and outside its `.git`. The target need not exist: its
 * nearest existing ancestor is resolved instead, so a write cannot go through a symlinked
 * directory that points elsewhere. A dangling symlink is refused, as writing through it would
 * create a file wherever it points.
 */
export async function resolveInside(realRoot: string, path: string): Promise<string> {
  const normalized = normalizeWorkspacePath(path);
  let existing = join(realRoot, normalized);
  let missing = "";
  for (;;) {
    try {
      const real = await realpath(existing);
      assertInside(realRoot, real, path);
      return missing === "" ? real : join(real, missing);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    if (await isDanglingLink(existing)) {
      throw new PathOutsideWorkspaceError(path, "it goes through a dangling symlink");
    }
    const parent = dirname(existing);
    missing =
      missing === "" ? relative(parent, existing) : join(relative(parent, existing), missing);
    existing = parent;
  }
}

function assertInside(realRoot: string, real: string, path: string): void {
  const rel = relative(realRoot, real);
  if (rel === "") return;
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new PathOutsideWorkspaceError(path, "it resolves outside the workspace");
  }
  if (rel.split(sep).some((segment) => segment.toLowerCase() === ".git")) {
    throw new PathOutsideWorkspaceError(path, "it resolves into the .git directory");
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

async function isDanglingLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}
