import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** Vite names these files after their content: a browser may keep them for good. */
const IMMUTABLE_PREFIX = "/assets/";

/**
 * What the page may load and connect to: its own files, its API, and its WebSocket at `host`.
 * Nothing else — no inline script, no remote image a plan's Markdown names — and no framing.
 */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Serves the built web UI; unknown paths fall back to index.html (client-side routes). */
export class StaticFiles {
  constructor(private readonly root: string) {}

  /** `host`: the runtime's name the page was asked under (already checked). */
  async serve(pathname: string, response: ServerResponse, host: string): Promise<void> {
    const file = await this.resolve(pathname);
    if (!file) {
      response.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
      response.end(
        `The web UI is not built (no ${path.join(this.root, "index.html")}).\n` +
          "Run `npm run build -w @amelia/web`, or start with `npm start`, which builds it.\n",
      );
      return;
    }
    const immutable = pathname.startsWith(IMMUTABLE_PREFIX) && file !== this.index;
    response.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      "content-security-policy": contentSecurityPolicy(host),
    });
    createReadStream(file).pipe(response);
  }

  private get index(): string {
    return path.join(this.root, "index.html");
  }

  /** The file to send: the one asked for inside the root, else index.html if it exists. */
  private async resolve(pathname: string): Promise<string | undefined> {
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      // A broken %-escape names no file: the page itself answers.
    }
    const candidates = [this.index];
    if (decoded !== undefined) {
      const requested = path.resolve(this.root, `.${decoded}`);
      if (requested.startsWith(this.root + path.sep)) candidates.unshift(requested);
    }
    for (const file of candidates) {
      if ((await stat(file).catch(() => undefined))?.isFile()) return file;
    }
    return undefined;
  }
}
