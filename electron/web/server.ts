import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EVENT_NAMES, type EventName } from '../../shared/ipc/contract.ts';
import { dispatch, type Handlers } from '../handlers/index.ts';
import type { Emit } from '../handlers/events.ts';
import { contentSecurityPolicy } from '../security.ts';
import type { DownloadStore } from './downloads.ts';
import { resolveStatic } from './static.ts';

import { KEY_HEADER } from '../../shared/ipc/names.ts';

export { KEY_HEADER };
const MAX_BODY = 32 * 1024 * 1024;
const LOOPBACK = '127.0.0.1';

export interface WebServerOptions {
  handlers: Handlers;
  /** the built renderer (dist/renderer) */
  staticDir: string;
  /** the access key every /api request must carry */
  key: string;
  /** 0 (the default) picks a free port */
  port?: number;
  /** only 127.0.0.1 is accepted: the bridge drives a bulk-SMS account and must not face a network */
  host?: string;
  /** subscribes to engine events; called once, its return value unsubscribes on close */
  subscribe?: (emit: Emit) => () => void;
  downloads?: DownloadStore;
  heartbeatMs?: number;
  log?: (msg: string) => void;
}

export interface WebServer {
  port: number;
  origin: string;
  url: string;
  close(): Promise<void>;
}

export function generateKey(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SMSDESK_WEB_KEY;
  if (fromEnv && fromEnv.length >= 16) return fromEnv;
  return crypto.randomBytes(32).toString('base64url');
}

/** constant-time: both sides hashed to the same length first, so neither length nor content leaks */
export function keyMatches(given: string | null | undefined, key: string): boolean {
  if (!given) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(key).digest();
  return crypto.timingSafeEqual(a, b);
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? LOOPBACK;
  if (host !== LOOPBACK) {
    throw new Error(
      `The web mode only listens on ${LOOPBACK} (asked for ${host}): it controls your SMS account and must not be reachable from the network.`,
    );
  }
  if (!opts.key || opts.key.length < 16) throw new Error('The web mode needs an access key of at least 16 characters.');
  const csp = contentSecurityPolicy();
  const clients = new Set<http.ServerResponse>();
  let port = 0;

  const emit: Emit = (name, payload) => {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of clients) res.write(frame);
  };

  const server = http.createServer((req, res) => {
    baseHeaders(res, csp);
    handle(req, res).catch((err) => {
      opts.log?.(`web: ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent)
        sendJson(res, 500, {
          ok: false,
          error: { code: 'INTERNAL', message: 'SMS Desk hit an internal error while answering.' },
        });
      else res.destroy();
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 5 * 60_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const allowedHosts = [`${LOOPBACK}:${port}`, `localhost:${port}`];
    // DNS rebinding: a hostile site resolving its own name to 127.0.0.1 still sends its name as Host.
    if (!allowedHosts.includes((req.headers.host ?? '').toLowerCase())) {
      return refuse(res, 421, 'Misdirected request: open SMS Desk at the address printed in the terminal.');
    }
    // Cross-site requests: another page in the same browser can reach 127.0.0.1 too.
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.map((h) => `http://${h}`).includes(origin.toLowerCase())) {
      return refuse(res, 403, 'Requests from other sites are refused.');
    }
    if (req.headers['sec-fetch-site'] === 'cross-site')
      return refuse(res, 403, 'Requests from other sites are refused.');

    const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
    if (url.pathname.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
      const headerKey = req.headers[KEY_HEADER];
      const given =
        typeof headerKey === 'string'
          ? headerKey
          : // EventSource and plain links cannot set headers: those two may carry the key in the query.
            url.pathname === '/api/events' || url.pathname.startsWith('/api/download/')
            ? url.searchParams.get('key')
            : null;
      if (!keyMatches(given, opts.key)) {
        return sendJson(res, 401, {
          ok: false,
          error: {
            code: 'UNAUTHORIZED',
            message: 'Missing or wrong access key: open SMS Desk with the link printed in the terminal.',
          },
        });
      }
      if (url.pathname === '/api/call') return call(req, res);
      if (url.pathname === '/api/events' && req.method === 'GET') return events(req, res);
      if (url.pathname.startsWith('/api/download/') && req.method === 'GET')
        return download(url.pathname.slice('/api/download/'.length), res);
      return sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'No such API address.' } });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed.');
    const hit = resolveStatic(opts.staticDir, url.pathname);
    if (!hit) return sendText(res, 404, 'Not found.');
    res.writeHead(200, {
      'Content-Type': hit.type,
      'Cache-Control': url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(hit.file).pipe(res);
  }

  async function call(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST')
      return sendJson(res, 405, { ok: false, error: { code: 'BAD_INPUT', message: 'Use POST for /api/call.' } });
    // JSON only: a cross-site form can post text/plain without a preflight, never application/json.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, {
        ok: false,
        error: { code: 'BAD_INPUT', message: 'Send the call as application/json.' },
      });
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return tooLarge(req, res);
    let text: string | null;
    try {
      text = await readBody(req, MAX_BODY);
    } catch {
      return; // the client went away mid-request: nobody to answer
    }
    if (text === null) return tooLarge(req, res);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, { ok: false, error: { code: 'BAD_INPUT', message: 'The request is not valid JSON.' } });
    }
    const { route, input } = (body ?? {}) as { route?: unknown; input?: unknown };
    sendJson(res, 200, await dispatch(opts.handlers, route, input));
  }

  function events(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(`: SMS Desk events: ${EVENT_NAMES.join(', ')}\n\n`);
    clients.add(res);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
    req.on('close', () => {
      clearInterval(beat);
      clients.delete(res);
    });
  }

  function download(id: string, res: http.ServerResponse): void {
    const d = opts.downloads?.take(id);
    if (!d) return sendText(res, 410, 'This download has already been used or has expired: export the file again.');
    const ascii = d.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    res.writeHead(200, {
      'Content-Type': d.name.endsWith('.xlsx')
        ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
        : 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(d.name)}`,
    });
    const stream = fs.createReadStream(d.file);
    stream.on('error', () => res.destroy());
    stream.on('close', () => opts.downloads?.remove(d.file));
    stream.pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `Port ${opts.port} on ${host} is already in use: choose another with --port, or leave --port out to get a free one.`,
            )
          : err,
      ),
    );
    server.listen(opts.port ?? 0, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const unsubscribe = opts.subscribe?.(emit) ?? (() => {});
  const origin = `http://${LOOPBACK}:${port}`;

  return {
    port,
    origin,
    url: `${origin}/?key=${encodeURIComponent(opts.key)}`,
    async close() {
      unsubscribe();
      for (const res of clients) res.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function baseHeaders(res: http.ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function refuse(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { ok: false, error: { code: 'FORBIDDEN', message } });
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body as text, or null as soon as it grows past `max` (the rest is left unread). */
function readBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        resolve(null);
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * 413 with a sentence, then close. Destroying the socket mid-upload (as before) reached the page
 * as a connection reset, with no sentence; so does answering early, since Node then closes a
 * socket that still has upload bytes unread (the kernel answers them with a reset). So the rest
 * of the upload is read and dropped first, and the answer goes once it ends. Only a client
 * that sends far more, or for long, gets its answer early and is cut off.
 */
function tooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
  const DRAIN_LIMIT = 4 * MAX_BODY;
  const DRAIN_MS = 30_000;
  let drained = 0;
  const answer = () => {
    clearTimeout(cut);
    if (res.headersSent || res.destroyed) return;
    res.setHeader('Connection', 'close');
    sendJson(res, 413, {
      ok: false,
      error: {
        code: 'BAD_INPUT',
        message: `The request is larger than ${MAX_BODY / (1024 * 1024)} MB, the most SMS Desk takes at once: send the rows in smaller chunks.`,
      },
    });
  };
  const cut = setTimeout(answer, DRAIN_MS);
  cut.unref();
  req.on('data', (c: Buffer) => {
    drained += c.length;
    if (drained > DRAIN_LIMIT) answer();
  });
  req.once('close', () => clearTimeout(cut));
  if (req.readableEnded) answer();
  else req.once('end', answer);
  req.resume();
}

export type { EventName };
