// A tiny static server on 127.0.0.1 (random port). Pages named csp.html get a strict Content
// Security Policy without 'wasm-unsafe-eval', under which browsers refuse to compile Wasm.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};
export const STRICT_CSP = "default-src 'self'; script-src 'self'";

export interface Served {
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Maps a requested path to the file to serve and extra response headers. */
export type Route = (path: string) => { path: string; headers?: Record<string, string> };

export function serve(root: string, route: Route = (path) => ({ path })): Promise<Served> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const requested = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(requested);
    const { path, headers: extra } = route(requested);
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    try {
      const body = await readFile(file);
      const headers: Record<string, string> = {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...extra,
      };
      if (file.endsWith('csp.html')) headers['content-security-policy'] = STRICT_CSP;
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((closed) => server.close(() => closed())),
      }),
    ),
  );
}
