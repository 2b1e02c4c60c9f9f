import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** The first executable file named `command` in a PATH-style list of directories, or null. */
export function findOnPath(command: string, searchPath: string): string | null {
  for (const directory of searchPath.split(path.delimiter)) {
    if (!path.isAbsolute(directory)) continue; // a relative entry would depend on the cwd
    const candidate = path.join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
