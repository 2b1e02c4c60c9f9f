import pMap from "p-map";
import type { TreeFile, TreeFiles } from "../github/GitHubRepository";
import { SUBMODULE_MODE } from "./gitObjects";
import { fileDiff } from "./unifiedDiff";

/** Blobs fetched at once for a diff. */
const BLOB_CONCURRENCY = 8;

export interface TreeDiffOptions {
  /**
   * Report a file deleted at one path and added with the same content and mode at another as
   * renamed, as `git diff --find-renames` does for an exact rename.
   */
  renames?: boolean;
}

/**
 * The unified git diff between two trees' files, as `git diff` prints it (see `fileDiff`):
 * submodules are left out, and the contents come from `content` by blob sha.
 */
export async function treeDiff(
  before: TreeFiles,
  after: TreeFiles,
  content: (sha: string) => Promise<Buffer>,
  options: TreeDiffOptions = {},
): Promise<string> {
  const changed = changedPaths(before, after).filter(
    (path) => before.get(path)?.mode !== SUBMODULE_MODE && after.get(path)?.mode !== SUBMODULE_MODE,
  );
  const renamed = options.renames ? exactRenames(changed, before, after) : new Map();
  const moved = new Set(renamed.values());
  const side = async (file: TreeFile | undefined) =>
    file && { mode: file.mode, content: await content(file.sha) };
  const patches = await pMap(
    changed.filter((path) => !moved.has(path)),
    async (path) => {
      const from = renamed.get(path);
      if (from !== undefined) return renameHeader(from, path);
      return fileDiff(path, await side(before.get(path)), await side(after.get(path)));
    },
    { concurrency: BLOB_CONCURRENCY },
  );
  return patches.join("");
}

/** Paths whose file differs between two trees (added, removed, or a new content or mode). */
export function changedPaths(before: TreeFiles, after: TreeFiles): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths]
    .filter((path) => {
      const a = before.get(path);
      const b = after.get(path);
      return a?.sha !== b?.sha || a?.mode !== b?.mode;
    })
    .sort();
}

/** Added paths by the deleted path holding the same blob and mode: each deleted path once. */
function exactRenames(changed: string[], before: TreeFiles, after: TreeFiles): Map<string, string> {
  const deleted = new Map<string, string[]>();
  for (const path of changed) {
    const file = before.get(path);
    if (file && !after.has(path)) {
      const key = `${file.mode} ${file.sha}`;
      deleted.set(key, [...(deleted.get(key) ?? []), path]);
    }
  }
  const renames = new Map<string, string>();
  for (const path of changed) {
    const file = after.get(path);
    if (!file || before.has(path)) continue;
    const from = deleted.get(`${file.mode} ${file.sha}`)?.shift();
    if (from !== undefined) renames.set(path, from);
  }
  return renames;
}

function renameHeader(from: string, to: string): string {
  return (
    `diff --git a/${from} b/${to}\nsimilarity index 100%\n` +
    `rename from ${from}\nrename to ${to}\n`
  );
}
