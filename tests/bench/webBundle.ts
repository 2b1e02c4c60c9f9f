import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { buildWeb } from "../support/webBuild";

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** (f) the production build of the web UI: what a browser downloads, gzipped. */
export async function reportWebBundle(): Promise<void> {
  const assets = path.join(await buildWeb(), "assets");
  const sizes = { js: 0, css: 0 };
  for (const name of await readdir(assets)) {
    const kind = path.extname(name).slice(1);
    if (kind !== "js" && kind !== "css") continue;
    sizes[kind] += gzipSync(await readFile(path.join(assets, name)), { level: 9 }).length;
  }
  console.log("\n(f) web UI production bundle (vite build), gzip -9");
  console.log(`    JS ${kB(sizes.js)}   CSS ${kB(sizes.css)}   total ${kB(sizes.js + sizes.css)}`);
}
