import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { FUNCTION_DEFAULTS } from "../../stacks/functionDefaults";
import { deployedFunctions, type FunctionKind } from "./functions";

/** Issue targets: the broadcaster and authorizer are on every request's path, so smaller. */
export const LIMIT_BYTES: Record<FunctionKind, number> = {
  agent: 1024 * 1024,
  http: 1024 * 1024,
  step: 1024 * 1024,
  broadcaster: 300 * 1024,
  authorizer: 300 * 1024,
};

/** Bundles one handler as SST does for an ESM function (its esbuild options, minified). */
async function bundle(handler: string): Promise<Uint8Array> {
  const entry = `${handler.slice(0, handler.lastIndexOf("."))}.ts`;
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    keepNames: true,
    minify: FUNCTION_DEFAULTS.nodejs.minify,
    external: FUNCTION_DEFAULTS.nodejs.esbuild.external,
    write: false,
    logLevel: "silent",
    banner: {
      js: "import { createRequire as topLevelCreateRequire } from 'module';const require = topLevelCreateRequire(import.meta.url);",
    },
  });
  return result.outputFiles[0]!.contents;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** Prints each function's bundle size against its target. */
export async function printBundleSizes(): Promise<void> {
  console.log(
    "Function bundles (esbuild as SST runs it, ESM, minified, SDK v3 clients tree-shaken in; targets: agents and API < 1 MB, broadcaster and authorizer < 300 KB)",
  );
  for (const [handler, kind] of deployedFunctions()) {
    const code = await bundle(handler);
    const within = code.byteLength < LIMIT_BYTES[kind];
    console.log(
      `    ${handler.padEnd(58)} ${kb(code.byteLength).padStart(7)}  gzip ${kb(gzipSync(code).byteLength).padStart(6)}  ${within ? "<" : "OVER"} ${kb(LIMIT_BYTES[kind])}`,
    );
  }
}
