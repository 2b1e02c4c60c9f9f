import { UsageError } from "./errors";

export const DEFAULT_API_URL = "http://127.0.0.1:8420";

export interface ServerConfig {
  /** The server's base URL, without a trailing slash (`/api/...` is appended). */
  apiUrl: string;
  /** The WebSocket URL, without the token. */
  wsUrl: string;
  token?: string;
}

/**
 * The server from AMELIA_API_URL (default the local runtime), its WebSocket at `/ws` unless
 * AMELIA_WS_URL says otherwise (in the cloud it is a separate API), and AMELIA_API_TOKEN.
 */
export function serverConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const apiUrl = parseUrl("AMELIA_API_URL", env.AMELIA_API_URL || DEFAULT_API_URL, [
    "http:",
    "https:",
  ]);
  const wsUrl = env.AMELIA_WS_URL
    ? parseUrl("AMELIA_WS_URL", env.AMELIA_WS_URL, ["ws:", "wss:"])
    : `${apiUrl.replace(/^http/, "ws")}/ws`;
  const token = env.AMELIA_API_TOKEN || undefined;
  return { apiUrl, wsUrl, ...(token !== undefined && { token }) };
}

function parseUrl(name: string, value: string, protocols: readonly string[]): string {
  const schemes = protocols.map((protocol) => `${protocol}//`).join(" or ");
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !protocols.includes(url.protocol)) {
    throw new UsageError(`${name} must be a URL starting with ${schemes}, not "${value}"`);
  }
  if (url.search || url.hash) throw new UsageError(`${name} must not have a query or fragment`);
  return url.toString().replace(/\/+$/, "");
}
