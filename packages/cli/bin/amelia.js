#!/usr/bin/env node
// Runs the CLI's TypeScript source through tsx's loader, scoped to the CLI's own imports (a
// namespace) and to this repository's tsconfig, whatever directory `amelia` is started from.
import { fileURLToPath, URL } from "node:url";
import { register } from "tsx/esm/api";

const tsx = register({
  namespace: "amelia-cli",
  tsconfig: fileURLToPath(new URL("../../../tsconfig.json", import.meta.url)),
});
await tsx.import("../src/main.ts", import.meta.url);
