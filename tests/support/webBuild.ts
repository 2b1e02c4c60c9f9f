import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WEB_DIST = path.join(ROOT, "packages/web/dist");

/** The production build of the web UI (`vite build`), as `npm start` and the deploy make it. */
export async function buildWeb(): Promise<string> {
  await promisify(execFile)("npm", ["run", "build", "--silent", "-w", "@amelia/web"], {
    cwd: ROOT,
  });
  return WEB_DIST;
}
