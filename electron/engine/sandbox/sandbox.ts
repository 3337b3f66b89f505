import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { mulberry32 } from './random.ts';
import { createBatchStore, type SandboxBatch } from './store.ts';
import {
  createStatusModel,
  DEFAULT_PROPORTIONS,
  DEFAULT_TIMING,
  type SandboxProportions,
  type SandboxTiming,
} from './reports.ts';
import { validateSend } from './validate.ts';

/**
 * Faults for the reliability suite. The p* probabilities are drawn once per send request from
 * one seeded stream and are mutually exclusive (their sum should stay at or below 1);
 * pSlow is drawn separately. Faults touch send requests only; report lookups see latency
 * and downtime but otherwise answer truthfully, so uncertain batches can be resolved.
 */
export interface FaultConfig {
  seed?: number;
  /** 500 without accepting */
  p500?: number;
  p503?: number;
  /** 429 with Retry-After: 1 */
  p429?: number;
  /** read the request, then destroy the socket without accepting */
  pResetBefore?: number;
  /** accept, then answer 500 */
  pAcceptThen500?: number;
  /** accept, then never answer (the client's answer timeout must fire) */
  pAcceptThenHang?: number;
  /** accept, then answer after slowMs */
  slowMs?: number;
  pSlow?: number;
  /** epoch ms: until then the port refuses connections; it reopens on the same port */
  downUntil?: number;
}

export interface SandboxOptions {
  host?: '127.0.0.1';
  /** 0 = ephemeral */
  port?: number;
  /** accepted bearer tokens; default ['sandbox'] */
  tokens?: string[] | 'any';
  seed?: number;
  timing?: SandboxTiming;
  /** the rest up to 1 ends as Unknown */
  proportions?: SandboxProportions;
  rateLimit?: { requestsPerSecond: number } | null;
  latencyMs?: number;
  stateFile?: string;
  faults?: FaultConfig;
  sendPath?: string;
  /** clock for statuses and send_at; defaults to Date.now */
  now?: () => number;
}

/** An accepted batch as the record shows it: a copy of the store's, without its delivery progress. */
export type AcceptedRecord = Omit<SandboxBatch, 'processed'>;

export interface SandboxRecord {
  /** send requests that reached the handler */
  requests: number;
  accepted: AcceptedRecord[];
  /** arrival times of send requests, epoch ms */
  arrivals: number[];
  faultsInjected: Record<string, number>;
  /** repeats of an already accepted reference_id, answered with the original result */
  duplicates: number;
  /** report (GET) requests */
  reportRequests: number;
}

export interface Sandbox {
  url: string;
  close(): Promise<void>;
  setFaults(f: FaultConfig): void;
  record(): SandboxRecord;
  /** how many times this number was accepted, over every batch */
  acceptedCount(msisdn: string): number;
}

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const REPORT_PATH = /^\/ng\/v1\/batches\/([^/]+)\/delivery_report(?:\/([^/]+))?\/?$/;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? 1;
  const tokens = opts.tokens ?? ['sandbox'];
  const sendPath = opts.sendPath ?? '/ng/v1/sendsms';
  const model = createStatusModel(seed, opts.timing ?? DEFAULT_TIMING, opts.proportions ?? DEFAULT_PROPORTIONS);
  const store = await createBatchStore(opts.stateFile);

  let faults: FaultConfig = {};
  let faultRng = mulberry32(seed);
  const faultsInjected: Record<string, number> = {};
  const count = (name: string) => {
    faultsInjected[name] = (faultsInjected[name] ?? 0) + 1;
  };
  const arrivals: number[] = [];
  let requests = 0;
  let duplicates = 0;
  let reportRequests = 0;
  let window: number[] = [];

  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let server: http.Server | null = null;
  let port = opts.port ?? 0;
  let closed = false;
  let reopenTimer: NodeJS.Timeout | null = null;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  // Random, not seeded: a sandbox restarted without its state file must never hand out a
  // reference an app still polls for from the previous run.
  function newRef(): string {
    for (;;) {
      const ref = randomBytes(13).toString('hex').slice(0, 25);
      if (!store.hasRef(ref)) return ref;
    }
  }

  function reply(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  function authorised(req: http.IncomingMessage): boolean {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    return tokens === 'any' || tokens.includes(m[1]);
  }

  function readBody(req: http.IncomingMessage): Promise<string | null> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_REQUEST_BYTES) chunks.push(c);
      });
      req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
      req.on('error', () => resolve(null));
    });
  }

  /** Returns true when the rolling one-second window is full; Retry-After in whole seconds. */
  function rateLimited(t: number): number | null {
    const rps = opts.rateLimit?.requestsPerSecond;
    if (!rps) return null;
    window = window.filter((x) => x > t - 1000);
    if (window.length >= rps) return Math.max(1, Math.ceil((window[0] + 1000 - t) / 1000));
    window.push(t);
    return null;
  }

  function pick(): string | null {
    const u = faultRng();
    let acc = 0;
    for (const name of ['pResetBefore', 'p429', 'p503', 'p500', 'pAcceptThen500', 'pAcceptThenHang'] as const) {
      acc += faults[name] ?? 0;
      if (u < acc) return name;
    }
    return null;
  }

  async function handleSend(req: http.IncomingMessage, res: http.ServerResponse, raw: string | null) {
    const t = now();
    requests++;
    arrivals.push(t);
    if (!authorised(req))
      return reply(res, 401, { status_code: 401, message: 'Unauthorized: the API token is missing or not valid.' });
    const limitedFor = rateLimited(t);
    if (limitedFor !== null) {
      count('rateLimit');
      return reply(
        res,
        429,
        { status_code: 429, message: 'Too many requests.' },
        { 'Retry-After': String(limitedFor) },
      );
    }
    const fault = pick();
    const slow = (faults.pSlow ?? 0) > 0 && faultRng() < (faults.pSlow ?? 0);
    if (fault === 'pResetBefore') {
      count(fault);
      req.socket.destroy();
      return;
    }
    if (fault === 'p429') {
      count(fault);
      return reply(res, 429, { status_code: 429, message: 'Too many requests.' }, { 'Retry-After': '1' });
    }
    if (fault === 'p503') {
      count(fault);
      return reply(res, 503, { status_code: 503, message: 'Service unavailable, request not processed.' });
    }
    if (fault === 'p500') {
      count(fault);
      return reply(res, 500, { status_code: 500, message: 'Internal server error.' });
    }

    if (raw === null) return reply(res, 413, { status_code: 413, message: 'Request body too large.' });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return reply(res, 415, {
        status_code: 415,
        message: 'Unsupported media type: send Content-Type: application/json.',
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return reply(res, 400, { status_code: 400, message: 'Request body is not valid JSON.' });
    }
    const v = validateSend(json);
    if (!v.ok) return reply(res, 400, { status_code: 400, message: v.message });

    const earlier = v.value.clientRef ? store.byClientRef(v.value.clientRef) : undefined;
    let batch: SandboxBatch;
    if (earlier) {
      // The same reference again (a client retry after an uncertain answer): nothing is
      // accepted twice; the answer is the one the first request got.
      duplicates++;
      batch = earlier;
    } else {
      batch = {
        ref: newRef(),
        clientRef: v.value.clientRef,
        from: v.value.from,
        to: v.value.to.slice(),
        text: v.value.text,
        at: t,
        sendAt: v.value.sendAt,
        processed: v.value.to.length,
      };
      store.add(batch);
    }

    if (fault === 'pAcceptThen500') {
      count(fault);
      return reply(res, 500, { status_code: 500, message: 'Internal server error.' });
    }
    if (fault === 'pAcceptThenHang') {
      count(fault);
      return;
    }
    if (slow) {
      count('pSlow');
      await wait(faults.slowMs ?? 0);
    }
    reply(res, 200, {
      status_code: 200,
      message: 'request is being processed',
      reference_id: batch.ref,
      recipients_processed: batch.processed,
    });
  }

  function handleReport(req: http.IncomingMessage, res: http.ServerResponse, url: URL, m: RegExpExecArray) {
    reportRequests++;
    if (!authorised(req))
      return reply(res, 401, { status_code: 401, message: 'Unauthorized: the API token is missing or not valid.' });
    let ref: string;
    let msisdn: string | null;
    try {
      ref = decodeURIComponent(m[1]);
      msisdn = m[2] === undefined ? null : decodeURIComponent(m[2]);
    } catch {
      return reply(res, 400, { status_code: 400, message: 'Malformed reference in the path.' });
    }
    const batch = store.find(ref);
    if (!batch) return reply(res, 404, { status_code: 404, message: `No batch with reference ${ref}.` });
    if (msisdn === null) {
      const type = url.searchParams.get('type') ?? 'summary';
      return reply(res, 200, model.batchReport(batch, now(), type === 'full'));
    }
    const one = model.recipientReport(batch, msisdn, now());
    if (!one) return reply(res, 404, { status_code: 404, message: `Recipient ${msisdn} is not in batch ${ref}.` });
    return reply(res, 200, one);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const raw = await readBody(req);
    if (opts.latencyMs) await wait(opts.latencyMs);
    if (url.pathname === sendPath) {
      if (req.method !== 'POST')
        return reply(res, 405, { status_code: 405, message: 'Method not allowed: use POST.' }, { Allow: 'POST' });
      return handleSend(req, res, raw);
    }
    const m = REPORT_PATH.exec(url.pathname);
    if (m) {
      if (req.method !== 'GET')
        return reply(res, 405, { status_code: 405, message: 'Method not allowed: use GET.' }, { Allow: 'GET' });
      return handleReport(req, res, url, m);
    }
    return reply(res, 404, { status_code: 404, message: 'Not found.' });
  }

  function listen(): Promise<void> {
    // node:http is loaded here, on start: the command loads this module whether or not it runs a sandbox
    const s = process.getBuiltinModule('node:http').createServer((req, res) => {
      handle(req, res).catch(() => reply(res, 500, { status_code: 500, message: 'Sandbox error.' }));
    });
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  }

  function stopListening() {
    if (!server) return;
    // Stops accepting at once; connections already open finish their exchange.
    server.close();
    server.closeIdleConnections();
    server = null;
  }

  async function reopen() {
    for (let attempt = 0; !closed && !server; attempt++) {
      try {
        await listen();
      } catch (e) {
        if (attempt > 100) throw e;
        await wait(20);
      }
    }
  }

  function applyDown() {
    if (reopenTimer) {
      clearTimeout(reopenTimer);
      timers.delete(reopenTimer);
      reopenTimer = null;
    }
    const until = faults.downUntil ?? 0;
    const left = until - now();
    if (left > 0) {
      if (server) {
        count('down');
        stopListening();
      }
      const t = setTimeout(() => {
        timers.delete(t);
        reopenTimer = null;
        reopen().catch(() => {});
      }, left);
      timers.add(t);
      reopenTimer = t;
    } else if (!server && !closed) {
      reopen().catch(() => {});
    }
  }

  function setFaults(f: FaultConfig) {
    faults = { ...f };
    if (f.seed !== undefined) faultRng = mulberry32(f.seed);
    applyDown();
  }

  await listen();
  const url = `http://${host}:${port}`;
  if (opts.faults) setFaults(opts.faults);

  return {
    url,
    setFaults,
    record: () => ({
      requests,
      accepted: store.all().map(({ processed: _, ...b }): AcceptedRecord => ({ ...b, to: b.to.slice() })),
      arrivals: arrivals.slice(),
      faultsInjected: { ...faultsInjected },
      duplicates,
      reportRequests,
    }),
    acceptedCount: (msisdn) => store.all().reduce((n, b) => n + b.to.filter((x) => x === msisdn).length, 0),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      store.close();
    },
  };
}
