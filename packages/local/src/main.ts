import { InvalidOriginError } from "./gateway/BrowserOrigins";
import { PortInUseError, startLocalRuntime } from "./LocalRuntime";

/** `npm start`: the whole product on this machine, no AWS account, no Docker, no network. */
const port = Number(process.env.AMELIA_PORT ?? 8420);
const dataDir = process.env.AMELIA_DATA_DIR ?? ".amelia";
const apiToken = process.env.AMELIA_API_TOKEN || undefined;
const allowedOrigins = (process.env.AMELIA_ALLOWED_ORIGINS ?? "")
  .split(",")
  .map((origin) => origin.trim())
  .filter(Boolean);

if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`AMELIA_PORT must be a port number, not "${process.env.AMELIA_PORT}"`);
  process.exit(2);
}

try {
  const runtime = await startLocalRuntime({
    port,
    dataDir,
    allowedOrigins,
    ...(apiToken && { apiToken }),
  });
  console.log(
    `Amelia is running at ${runtime.url}  (data: ${dataDir}${apiToken ? ", auth on" : ""})`,
  );
  console.log(
    `  web UI ${runtime.url}/   API ${runtime.url}/api   WebSocket ${runtime.url.replace("http", "ws")}/ws`,
  );
  const { name, demo } = await modelInUse(runtime.url);
  console.log(
    `  LLM: ${demo ? "offline demo model (set ANTHROPIC_API_KEY, or AMELIA_LLM_PROVIDER=bedrock, for Claude)" : `Claude (${name})`}. ` +
      "Press Ctrl+C to stop.",
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    runtime.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Shutdown failed", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (error) {
  if (error instanceof PortInUseError) {
    console.error(
      `Port ${error.port} is already in use: is Amelia already running? Stop it, or choose another port with AMELIA_PORT=…`,
    );
  } else if (error instanceof InvalidOriginError) {
    console.error(`AMELIA_ALLOWED_ORIGINS: ${error.message}`);
  } else {
    console.error("Amelia could not start:", error);
  }
  process.exit(1);
}

/** The model the agents use, as the product's own health check reports it through the gateway. */
async function modelInUse(url: string): Promise<{ name: string; demo: boolean }> {
  const response = await fetch(`${url}/api/health`);
  const health = (await response.json()) as {
    checks?: { model?: { name: string; demo: boolean } };
  };
  if (!response.ok || !health.checks?.model) {
    throw new Error(`The health check answered ${response.status}: ${JSON.stringify(health)}`);
  }
  return health.checks.model;
}
