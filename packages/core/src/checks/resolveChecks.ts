import type { Workspace } from "../workspace/Workspace";
import { CHECKS_FILE } from "./ChecksFileError";
import { parseChecksFile, type ResolvedChecks } from "./checksConfig";
import { detectChecks } from "./detectChecks";

/**
 * The checks of the repository in the workspace: its `.amelia/checks.yml` (a ChecksFileError when
 * it is invalid), else those detected from its files, else undefined (it has none).
 */
export async function resolveChecks(workspace: Workspace): Promise<ResolvedChecks | undefined> {
  const files = new Set(await workspace.listFiles());
  const read = async (path: string) => (files.has(path) ? workspace.readFile(path) : undefined);
  const file = await read(CHECKS_FILE);
  if (file !== undefined) return { config: parseChecksFile(file), source: "file" };
  const detected = await detectChecks(read);
  return detected && { config: detected, source: "detected" };
}
