import { buildWeb } from "./webBuild";

const BUILD = Symbol.for("amelia.webBuild");
const shared = globalThis as { [BUILD]?: Promise<string> };

/**
 * Vitest global setup of the projects that load the served page: builds the web UI once per run
 * (a clean clone has no build), however many projects list this file.
 */
export default async function setup(): Promise<void> {
  await (shared[BUILD] ??= buildWeb());
}
