import type { ApiClient } from "@amelia/client";
import type { ServerConfig } from "./config";
import type { Output } from "./Output";

/** What every server command gets: where to print, the API, and where it runs. */
export interface CommandContext {
  output: Output;
  api: ApiClient;
  server: ServerConfig;
  cwd: string;
}
