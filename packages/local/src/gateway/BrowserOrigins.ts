import type { IncomingHttpHeaders } from "node:http";

/** The names the runtime answers to: a page reached under any other name is a rebinding attack. */
const LOOPBACK_NAMES = ["127.0.0.1", "localhost"];

/** An entry of AMELIA_ALLOWED_ORIGINS that is not an http(s) origin. */
export class InvalidOriginError extends Error {
  override readonly name = "InvalidOriginError";

  constructor(readonly origin: string) {
    super(`Not an http(s) origin: "${origin}" (write e.g. http://127.0.0.1:5173)`);
  }
}

/** Parses an origin such as `http://127.0.0.1:5173` (a trailing slash is allowed). */
export function parseOrigin(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidOriginError(text);
  }
  const bare = url.pathname === "/" && !url.search && !url.hash && !url.username;
  if (!/^https?:$/.test(url.protocol) || !bare) throw new InvalidOriginError(text);
  return url;
}

/**
 * Which browsers may drive the local runtime. Any page can send a "simple" request (a text/plain
 * POST, a WebSocket) to 127.0.0.1, so a request that says it comes from a page must come from the
 * runtime's own (or an allowed origin, such as the Vite dev server); and the Host must be one of
 * the runtime's own names, so a page on a rebound DNS name is refused too. Clients that send no
 * Origin (curl, the CLI, Node's fetch) are not browsers' pages and pass.
 */
export class BrowserOrigins {
  private readonly origins: Set<string>;
  private readonly hosts: Set<string>;

  constructor(port: number, allowedOrigins: readonly URL[] = []) {
    const own = LOOPBACK_NAMES.map((name) => new URL(`http://${name}:${port}`));
    const allowed = [...own, ...allowedOrigins];
    this.origins = new Set(allowed.map((url) => url.origin));
    this.hosts = new Set(allowed.map((url) => url.host));
  }

  /** Why a request with these headers is refused, or undefined when it may proceed. */
  refusal(headers: IncomingHttpHeaders): string | undefined {
    const host = headers.host?.toLowerCase();
    if (!host || !this.hosts.has(host)) return "Forbidden: this Host is not the local runtime's";
    const origin = headers.origin;
    if (origin !== undefined && !this.origins.has(origin.toLowerCase())) {
      return "Forbidden: this Origin may not use the local runtime (see AMELIA_ALLOWED_ORIGINS)";
    }
    return undefined;
  }
}
