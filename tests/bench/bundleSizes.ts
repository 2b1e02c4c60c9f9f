import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { FUNCTION_DEFAULTS } from "../../stacks/functionDefaults";
import { startTime } from "./functionStart";
import { deployedFunctions, type FunctionKind } from "./functions";

/** Issue targets: API routes and the broadcaster and authorizer are on requests' paths. */
export const LIMIT_BYTES: Record<FunctionKind, number> = {
  agent: 1024 * 1024,
  http: 300 * 1024,
  step: 1024 * 1024,
  broadcaster: 300 * 1024,
  authorizer: 300 * 1024,
};

export interface Bundle {
  code: Uint8Array;
  /** The source files with code in it (not those tree-shaken away), as esbuild names them. */
  inputs: string[];
}

/** Bundles one handler as SST does for an ESM function (its esbuild options, minified). */
export async function bundle(handler: string): Promise<Bundle> {
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
    metafile: true,
    logLevel: "silent",
    banner: {
      js: "import { createRequire as topLevelCreateRequire } from 'module';const require = topLevelCreateRequire(import.meta.url);",
    },
  });
  const [output] = Object.values(result.metafile.outputs);
  const inputs = Object.entries(output!.inputs).filter(
    ([, { bytesInOutput }]) => bytesInOutput > 0,
  );
  return { code: result.outputFiles[0]!.contents, inputs: inputs.map(([file]) => file) };
}

/**
 * Issue 16's target for the API's and WebSocket's cold start: half of the ~160 ms their 1.39 MB
 * bundles took to import on the 2-core machine, before each bundled only what it reaches.
 */
const HTTP_INIT_TARGET_MS = 80;

/** Where the bundles run from: in the repository, so that the SDK's externals resolve as in Lambda. */
const BUNDLES_DIR = fileURLToPath(new URL("../../node_modules/.cache", import.meta.url));

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** The cold start's columns: the bundle, written to `dir`, run as `startTime` runs it. */
async function coldStart(
  code: Uint8Array,
  handler: string,
  kind: FunctionKind,
  dir: string,
  environment: Readonly<Record<string, string>>,
): Promise<string> {
  const file = path.join(dir, `${handler.replaceAll("/", "_")}.mjs`);
  await writeFile(file, code);
  const { importMs, invokeMs } = await startTime(file, environment);
  const target =
    kind === "http"
      ? `${importMs < HTTP_INIT_TARGET_MS ? "<" : "OVER"} ${ms(HTTP_INIT_TARGET_MS)}`
      : "";
  return `  init ${ms(importMs).padStart(6)}  ${target.padEnd(9)}  first call ${ms(invokeMs).padStart(6)}`;
}

/**
 * Prints each function's bundle size against its target and, given the functions' environment
 * of a local runtime, its cold start there.
 */
export async function printBundleSizes(environment?: Readonly<Record<string, string>>) {
  console.log(
    "Function bundles (esbuild as SST runs it, ESM, minified, SDK v3 clients tree-shaken in; targets: agents < 1 MB, API, WebSocket, broadcaster and authorizer < 300 KB)" +
      (environment
        ? `; cold start: a fresh Node process imports it (API and WebSocket target < ${ms(HTTP_INIT_TARGET_MS)}), then one invocation against the emulators (median of 3)`
        : ""),
  );
  await mkdir(BUNDLES_DIR, { recursive: true });
  const dir = await mkdtemp(path.join(BUNDLES_DIR, "amelia-bench-bundles-"));
  try {
    for (const [handler, kind] of deployedFunctions()) {
      const { code } = await bundle(handler);
      const within = code.byteLength < LIMIT_BYTES[kind];
      const start = environment ? await coldStart(code, handler, kind, dir, environment) : "";
      console.log(
        `    ${handler.padEnd(58)} ${kb(code.byteLength).padStart(7)}  gzip ${kb(gzipSync(code).byteLength).padStart(6)}  ${within ? "<" : "OVER"} ${kb(LIMIT_BYTES[kind])}${start}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
