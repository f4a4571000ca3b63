/**
 * The HTTP server the page talks to: node:http on 127.0.0.1 (a secure
 * context, which WebGPU requires) on an ephemeral port. It serves the page,
 * the in-memory bundle, tfjs's .wasm files (application/wasm, so the browser
 * compiles them streaming), and tensors: Node puts a packed message (wire.ts)
 * under a one-off URL for the page to GET, and the page POSTs its outputs to a
 * one-off URL Node asked for. Every response carries COOP/COEP, making the
 * page cross-origin isolated (SharedArrayBuffer for tfjs-wasm threads, 5 us
 * performance.now()).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { PageBundle } from './bundle.ts';

/** What the server serves besides tensors. */
export interface ServerContent {
  bundle: PageBundle;
  /** The page's HTML file. */
  htmlPath: string;
  /** Folder holding tfjs-backend-wasm's .wasm files (served under /wasm/). */
  wasmDir: string;
  /** Folder holding onnxruntime-web's .wasm and .mjs files (served under /ort/), when it is installed. */
  ortDir?: string;
}

/** A running page server. */
export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Serves `chunks` (one packed message) at a new URL until `drop(url)`. */
  offer(chunks: Uint8Array[]): string;
  /** A new URL the page may POST one message to; `take` returns it once it arrived. */
  expect(): { url: string; take(): Uint8Array | undefined };
  /** Forgets an offered or expected URL. */
  drop(url: string): void;
  /** Whether the server and its open connections keep Node's event loop alive (on while operations run). */
  keepAlive(on: boolean): void;
  close(): Promise<void>;
}

const HEADERS = {
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

function send(res: ServerResponse, status: number, type: string, body?: Uint8Array | string): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, ...(body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) }) });
  res.end(body);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolvePromise();
    });
  });
}

/**
 * Starts the server on 127.0.0.1. `port` 0 (the default) lets the OS pick a
 * free one; a requested port that is taken (EADDRINUSE) falls back to an
 * ephemeral one, and EADDRINUSE on an ephemeral port is retried.
 */
export async function startPageServer(content: ServerContent, port = 0): Promise<PageServer> {
  const html = readFileSync(content.htmlPath);
  const wasmFiles = new Set(readdirSync(content.wasmDir).filter((f) => f.endsWith('.wasm')));
  const ortFiles = new Set(content.ortDir ? readdirSync(content.ortDir).filter((f) => /^ort-wasm.*\.(wasm|mjs)$/.test(f)) : []);
  const offered = new Map<string, Uint8Array[]>();
  const expected = new Map<string, Uint8Array | undefined>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'POST') {
      if (!expected.has(path)) {
        req.resume();
        send(res, 404, 'text/plain', `no result expected at ${path}`);
        return;
      }
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        if (expected.has(path)) expected.set(path, Buffer.concat(parts));
        send(res, 204, 'text/plain');
      });
      req.on('error', () => send(res, 400, 'text/plain', 'upload failed'));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', `${req.method} not allowed`);
      return;
    }
    if (path === '/' || path === '/index.html') {
      send(res, 200, 'text/html; charset=utf-8', html);
      return;
    }
    const built = content.bundle.files.get(path);
    if (built) {
      send(res, 200, built.contentType, built.bytes);
      return;
    }
    const chunks = offered.get(path);
    if (chunks) {
      const length = chunks.reduce((n, c) => n + c.byteLength, 0);
      res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': length });
      for (const c of chunks) res.write(c);
      res.end();
      return;
    }
    const wasm = path.startsWith('/wasm/') ? path.slice('/wasm/'.length) : '';
    if (wasmFiles.has(wasm)) {
      res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/wasm' });
      createReadStream(join(content.wasmDir, wasm)).on('error', () => res.destroy()).pipe(res);
      return;
    }
    const ort = path.startsWith('/ort/') ? path.slice('/ort/'.length) : '';
    if (ortFiles.has(ort)) {
      res.writeHead(200, { ...HEADERS, 'Content-Type': ort.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8' });
      createReadStream(join(content.ortDir!, ort)).on('error', () => res.destroy()).pipe(res);
      return;
    }
    send(res, 404, 'text/plain', `not found: ${path}`);
  };

  let server: Server | undefined;
  let lastError: unknown;
  let referenced = true;
  const sockets = new Set<Socket>();
  for (let attempt = 0; attempt < 5 && !server; attempt++) {
    const s = createServer(onRequest);
    s.keepAliveTimeout = 60_000;
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      if (!referenced) socket.unref();
    });
    try {
      await listen(s, attempt === 0 ? port : 0);
      server = s;
    } catch (e) {
      lastError = e;
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  if (!server) throw new Error(`could not listen on 127.0.0.1: ${(lastError as Error).message}`);
  const live = server;
  const origin = `http://127.0.0.1:${(live.address() as AddressInfo).port}`;

  return {
    origin,
    offer(chunks) {
      const path = `/tensors/${randomUUID()}`;
      offered.set(path, chunks);
      return `${origin}${path}`;
    },
    expect() {
      const path = `/results/${randomUUID()}`;
      expected.set(path, undefined);
      return { url: `${origin}${path}`, take: () => expected.get(path) };
    },
    drop(url) {
      const path = url.slice(origin.length);
      offered.delete(path);
      expected.delete(path);
    },
    keepAlive(on) {
      referenced = on;
      for (const x of [live, ...sockets]) {
        if (on) x.ref();
        else x.unref();
      }
    },
    close() {
      offered.clear();
      expected.clear();
      return new Promise((done) => {
        live.close(() => done());
        live.closeAllConnections();
      });
    },
  };
}
