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

/** Serves the web UI's files; unknown paths fall back to index.html (client-side routes). */
export class StaticFiles {
  constructor(private readonly root: string) {}

  async serve(pathname: string, response: ServerResponse): Promise<void> {
    const file = await this.resolve(pathname);
    response.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    createReadStream(file).pipe(response);
  }

  private async resolve(pathname: string): Promise<string> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return path.join(this.root, "index.html");
    }
    const requested = path.resolve(this.root, `.${decoded}`);
    const inside = requested === this.root || requested.startsWith(this.root + path.sep);
    if (inside) {
      const found = await stat(requested).catch(() => undefined);
      if (found?.isFile()) return requested;
    }
    return path.join(this.root, "index.html");
  }
}
