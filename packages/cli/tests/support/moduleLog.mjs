// Preloaded with `node --import` (through NODE_OPTIONS) to list every module a process loads:
// each resolved URL is appended to the file named by AMELIA_MODULE_LOG.
import { register } from "node:module";

register("./moduleLogHooks.mjs", import.meta.url);
