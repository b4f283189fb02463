// Serves a generated docs site over HTTP on the local machine, with node:http and nothing else.
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, resolve, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/**
 * The site is static and loads nothing from elsewhere: scripts, styles and images from itself only,
 * no inline script, no requests, no framing. A description that slipped past escaping could run
 * nothing and send nothing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface ServeOptions {
  dir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
}

/** Starts serving `dir`; resolves with the server and its URL once it listens. */
export function serveDocs(options: ServeOptions): Promise<{ server: Server; url: string }> {
  const root = resolve(options.dir);
  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const file = fileFor(root, req.url ?? "/");
    const size = file && fileSize(file);
    if (!file || size === null) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    res.writeHead(200, {
      "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": size,
      "cache-control": "no-cache",
      "content-security-policy": CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      resolvePromise({ server, url: `http://${options.host}:${port}/` });
    });
  });
}

/** The file a request path names inside `root`, or null for a path that would leave it. */
export function fileFor(root: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, "http://localhost").pathname);
  } catch {
    return null;
  }
  const file = resolve(join(root, path.endsWith("/") ? `${path}index.html` : path));
  return file === root || file.startsWith(root + sep) ? file : null;
}

function fileSize(file: string): number | null {
  try {
    const s = statSync(file);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}
