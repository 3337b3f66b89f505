import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayClient, type SendOutcome, type SendRequest } from '../../electron/engine/gateway/client.ts';
import { defaultSettings, type SettingKey, type Settings } from '../../shared/settings.ts';

// A self-signed certificate for 127.0.0.1: the client must refuse it (it is not trusted).
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgr8/R2qZqYC5p6gT2
Omy3fFf6UBb+CQIyeaC7rxTP2NShRANCAASfpXX7Tj30GYEmNQMWONe7K+kimJaj
BWJYVK5gtHup/jZtmPbdfQzY5688ydCcyZttfF3AR4n0jctJsh7yTNdr
-----END PRIVATE KEY-----`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUfVWVObkTbs5QTzDhTKpHE08qMBowCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNjE3MDUzNFoYDzIxMjYxMTAy
MTcwNTM0WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASfpXX7Tj30GYEmNQMWONe7K+kimJajBWJYVK5gtHup/jZtmPbdfQzY
5688ydCcyZttfF3AR4n0jctJsh7yTNdro2QwYjAdBgNVHQ4EFgQU1NhFnSfwNiKk
GxJmkxr9wdS6nRYwHwYDVR0jBBgwFoAU1NhFnSfwNiKkGxJmkxr9wdS6nRYwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQD1d212u9iydG4zGVkHkPS0LPLMrm/yXy858TvIdLXKawIgUxMnAMzgaRsZZ058
0PD/ZbdY03Tj7GZP39uHfAyum5E=
-----END CERTIFICATE-----`;

const TOKEN = 'tok_9f3KzQ81xYpL0aVv';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function serve(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function client(url: string, over: Partial<Settings> = {}, token: () => Promise<string> = async () => TOKEN) {
  const s = { ...defaultSettings(), ...over };
  const logs: string[] = [];
  const c = createGatewayClient({
    settings: { get: (k: SettingKey) => s[k] },
    token,
    baseUrl: () => url,
    log: (m) => logs.push(m),
  });
  return Object.assign(c, { logs });
}

const REQ: SendRequest = {
  from: 'ShopRite',
  to: ['2348031234567', '2348051234567', '2348091234567'],
  text: 'Sale today',
  clientRef: 'cref-1',
};

async function answerWith(status: number, body: unknown, headers: Record<string, string> = {}): Promise<SendOutcome> {
  const srv = await serve((_q, res) => json(res, status, body, headers));
  return client(srv.url).send(REQ);
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('request the gateway receives', () => {
  it('sends from, to, body and content, delivery_report and the client reference, with bearer auth and JSON type', async () => {
    const srv = await serve((_q, res) =>
      json(res, 200, { status_code: 200, reference_id: 'g1', recipients_processed: 3 }),
    );
    await client(srv.url).send(REQ);
    const [r] = srv.seen;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/ng/v1/sendsms');
    expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({
      from: 'ShopRite',
      to: REQ.to,
      body: 'Sale today',
      content: 'Sale today',
      delivery_report: 'none',
      reference_id: 'cref-1',
    });
  });

  it('follows gateway.messageField, gateway.deliveryReport and gateway.clientReference, and passes send_at', async () => {
    const srv = await serve((_q, res) =>
      json(res, 200, { status_code: 200, reference_id: 'g1', recipients_processed: 3 }),
    );
    await client(srv.url, { 'gateway.messageField': 'body' }).send(REQ);
    await client(srv.url, { 'gateway.messageField': 'content', 'gateway.deliveryReport': 'yes' }).send({
      ...REQ,
      sendAt: '2026-12-01T09:00:00.000Z',
    });
    await client(srv.url, { 'gateway.clientReference': false }).send(REQ);
    const [a, b, c] = srv.seen.map((s) => JSON.parse(s.body));
    expect(a.body).toBe('Sale today');
    expect(a).not.toHaveProperty('content');
    expect(b.content).toBe('Sale today');
    expect(b).not.toHaveProperty('body');
    expect(b.delivery_report).toBe('yes');
    expect(b.send_at).toBe('2026-12-01T09:00:00.000Z');
    expect(c).not.toHaveProperty('reference_id');
    expect(c).not.toHaveProperty('send_at');
  });
});

describe('answers to a send', () => {
  it('accepts a 200 with status_code 200, keeping the gateway reference and a short recipients_processed', async () => {
    expect(
      await answerWith(200, {
        status_code: 200,
        message: 'request is being processed',
        reference_id: 'fdab8f46df049e58b0af7c2d7',
        recipients_processed: 2,
      }),
    ).toEqual({ kind: 'accepted', gatewayRef: 'fdab8f46df049e58b0af7c2d7', processed: 2, httpStatus: 200 });
  });

  it('falls back to the client reference when the answer carries none', async () => {
    expect(await answerWith(200, { status_code: 200 })).toEqual({
      kind: 'accepted',
      gatewayRef: 'cref-1',
      processed: null,
      httpStatus: 200,
    });
  });

  it('treats a refused connection as never sent', async () => {
    const out = await client(`http://127.0.0.1:${await freePort()}`).send(REQ);
    expect(out).toMatchObject({ kind: 'retry', neverSent: true, httpStatus: null });
    expect((out as { reason: string }).reason).toMatch(/refused the connection/);
  });

  it('retries a 429 after Retry-After, in seconds or as an HTTP date', async () => {
    expect(await answerWith(429, { message: 'slow down' }, { 'Retry-After': '7' })).toMatchObject({
      kind: 'retry',
      retryAfterMs: 7000,
      httpStatus: 429,
      neverSent: false,
    });
    const date = new Date(Date.now() + 30_000).toUTCString();
    const out = await answerWith(429, {}, { 'Retry-After': date });
    expect(out.kind).toBe('retry');
    const ms = (out as { retryAfterMs: number }).retryAfterMs;
    expect(ms).toBeGreaterThan(25_000);
    expect(ms).toBeLessThanOrEqual(30_000);
  });

  it('retries a 503', async () => {
    expect(await answerWith(503, { message: 'busy' })).toMatchObject({
      kind: 'retry',
      httpStatus: 503,
      retryAfterMs: null,
    });
  });

  it('fails the whole campaign on a bad sender ID, only the batch on bad numbers', async () => {
    const sender = await answerWith(400, { status_code: 400, message: 'Invalid sender ID' });
    expect(sender).toMatchObject({ kind: 'failed', httpStatus: 400, campaignWide: true });
    expect((sender as { reason: string }).reason).toContain('Invalid sender ID');
    expect(
      await answerWith(400, { code: 'syntax_invalid_parameter_format', text: 'Invalid recipient number 23480' }),
    ).toMatchObject({ kind: 'failed', httpStatus: 400, campaignWide: false });
    expect(await answerWith(400, { message: 'Field body is required' })).toMatchObject({
      kind: 'failed',
      campaignWide: true,
    });
  });

  it.each([404, 405, 415])('fails the whole campaign on HTTP %i (wrong endpoint or format)', async (status) => {
    expect(await answerWith(status, { message: 'no' })).toMatchObject({
      kind: 'failed',
      httpStatus: status,
      campaignWide: true,
    });
  });

  it.each([401, 403])('reports HTTP %i as a token problem', async (status) => {
    expect(await answerWith(status, { message: 'Unauthorized' })).toMatchObject({ kind: 'auth', httpStatus: status });
  });

  it('treats a 200 whose status_code is not 200 as refused', async () => {
    const out = await answerWith(200, { status_code: 400, message: 'Insufficient balance' });
    expect(out).toMatchObject({ kind: 'failed', httpStatus: 200, campaignWide: true });
    expect((out as { reason: string }).reason).toContain('Insufficient balance');
  });

  it.each([500, 502, 504])('marks HTTP %i uncertain: the gateway may have accepted it', async (status) => {
    expect(await answerWith(status, { message: 'oops' })).toMatchObject({ kind: 'uncertain', httpStatus: status });
  });

  it('marks an unreadable 2xx uncertain, but a 4xx with an unreadable body still failed', async () => {
    const html = await serve((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>Welcome</html>');
    });
    expect(await client(html.url).send(REQ)).toMatchObject({ kind: 'uncertain', httpStatus: 200 });
    expect(await answerWith(200, { message: 'ok' })).toMatchObject({ kind: 'uncertain', httpStatus: 200 });
    expect(await answerWith(200, ['status_code', 200])).toMatchObject({ kind: 'uncertain', httpStatus: 200 });
    const huge = await serve((_q, res) => {
      res.writeHead(200);
      res.end(`{"status_code":200,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    });
    expect(await client(huge.url).send(REQ)).toMatchObject({ kind: 'uncertain', httpStatus: 200 });
    const bad = await serve((_q, res) => {
      res.writeHead(400, 'Bad Request');
      res.end('\u0000\u0001garbage');
    });
    const out = await client(bad.url).send(REQ);
    expect(out).toMatchObject({ kind: 'failed', httpStatus: 400 });
    expect((out as { reason: string }).reason).toContain('Bad Request');
  });

  it('marks no answer within gateway.answerTimeoutMs uncertain', async () => {
    const srv = await serve(() => {
      /* never answers */
    });
    const started = Date.now();
    const out = await client(srv.url, { 'gateway.answerTimeoutMs': 300 }).send(REQ);
    expect(out).toMatchObject({ kind: 'uncertain', httpStatus: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(srv.seen).toHaveLength(1);
  });

  it('marks a connection reset after the request was written uncertain', async () => {
    const srv = await serve((req) => req.socket.destroy());
    const out = await client(srv.url).send(REQ);
    expect(out).toMatchObject({ kind: 'uncertain', httpStatus: null });
    expect(srv.seen).toHaveLength(1);
  });

  it('treats a TLS handshake that never completes as a connect timeout: never sent', async () => {
    const silent = net.createServer(() => {
      /* accepts TCP, never speaks TLS */
    });
    const sockets = new Set<net.Socket>();
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          silent.close(() => r());
        }),
    );
    const url = `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const out = await client(url, { 'gateway.connectTimeoutMs': 300 }).send(REQ);
    expect(out).toMatchObject({ kind: 'retry', neverSent: true });
    expect((out as { reason: string }).reason).toMatch(/in time/);
  });

  it('never accepts an untrusted certificate: the request is not sent', async () => {
    let requests = 0;
    const server = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (_q, res) => {
      requests++;
      json(res, 200, { status_code: 200 });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const out = await client(`https://127.0.0.1:${(server.address() as net.AddressInfo).port}`).send(REQ);
    expect(out).toMatchObject({ kind: 'retry', neverSent: true });
    expect((out as { reason: string }).reason).toMatch(/certificate/i);
    expect(requests).toBe(0);
  });
});

describe('connections', () => {
  it('each request has a connection of its own (closed with its answer), and resumes the TLS session of the last', async () => {
    // A child process that trusts the test certificate (NODE_EXTRA_CA_CERTS is read at start) sends
    // three requests through the real client; the server sees each connection and its session.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-tls-resume-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'ca.pem'), TLS_CERT);
    const seen: Array<{ resumed: boolean; port: number; connection: string | undefined }> = [];
    const server = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, (q, res) => {
      seen.push({
        resumed: (q.socket as import('node:tls').TLSSocket).isSessionReused(),
        port: q.socket.remotePort!,
        connection: q.headers.connection,
      });
      json(res, 200, { status_code: 200, reference_id: `ref${seen.length}`, recipients_processed: 1 });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const script = path.join(dir, 'send.mts');
    fs.writeFileSync(
      script,
      `import { createGatewayClient } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../electron/engine/gateway/client.ts'))};
import { defaultSettings } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../shared/settings.ts'))};
const s = defaultSettings();
const c = createGatewayClient({ settings: { get: (k) => s[k] }, token: async () => 'tls-resume-token', baseUrl: () => ${JSON.stringify(url)} });
for (let i = 1; i <= 3; i++) console.log(JSON.stringify(await c.send({ from: 'ACME', to: ['2348031234567'], text: 'x', clientRef: 'r' + i })));`,
    );
    // (not execFileSync: the server answers from this process's event loop)
    const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') },
      encoding: 'utf8',
    });
    const outcomes = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SendOutcome);
    expect(outcomes.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'accepted']);
    // a stale pooled socket could turn a request into an unknown outcome: none is reused
    expect(new Set(seen.map((x) => x.port)).size).toBe(3);
    expect(seen.map((x) => x.connection)).toEqual(['close', 'close', 'close']);
    // the first handshake is full; the next ones skip the certificate exchange
    expect(seen.map((x) => x.resumed)).toEqual([false, true, true]);
  }, 30_000);
});

describe('safety', () => {
  it('refuses a plain-http gateway that is not this computer, before connecting', async () => {
    const c = client('http://app.9bits.net:2096');
    const started = Date.now();
    const out = await c.send(REQ);
    expect(out).toMatchObject({ kind: 'failed', httpStatus: 0, campaignWide: true });
    expect((out as { reason: string }).reason).toMatch(/https:\/\//);
    expect(Date.now() - started).toBeLessThan(100);
    expect(await c.fetchBatchReport('x')).toMatchObject({ kind: 'error', retryable: false });
    expect((await c.checkToken()).ok).toBe(false);
  });

  it('sends nothing over plain http to a *.localhost name, which a resolver would answer for', async () => {
    const srv = await serve((_req, res) => json(res, 200, { reference_id: 'r1' }));
    const c = client(srv.url.replace('127.0.0.1', 'gateway.localhost'));
    const out = await c.send(REQ);
    expect(out).toMatchObject({ kind: 'failed', httpStatus: 0, campaignWide: true });
    expect((out as { reason: string }).reason).toMatch(/plain http.*localhost, 127\.0\.0\.1 or \[::1\]/);
    expect((await c.checkToken()).ok).toBe(false);
    expect(srv.seen).toHaveLength(0);
  });

  it('never lets the token into an outcome or a log line, even when the gateway echoes it', async () => {
    const srv = await serve((req, res, body) => {
      const echo = `${req.headers.authorization} ${body}`;
      const n = srv.seen.length;
      if (n === 1) json(res, 400, { message: `bad sender ${echo}` });
      else if (n === 2) json(res, 401, { message: `token ${echo} refused` });
      else if (n === 3) json(res, 500, { message: echo });
      else if (n === 4) json(res, 200, { status_code: 422, message: echo });
      else {
        res.writeHead(200);
        res.end(`not json ${echo}`);
      }
    });
    const c = client(srv.url);
    const outs = [];
    for (let i = 0; i < 5; i++) outs.push(await c.send(REQ));
    expect(outs.map((o) => o.kind)).toEqual(['failed', 'auth', 'uncertain', 'failed', 'uncertain']);
    const text = JSON.stringify(outs) + c.logs.join('\n');
    expect(text).toContain('Bearer');
    expect(text).not.toContain(TOKEN);
  });

  it('says clearly when there is no token, without sending anything', async () => {
    const srv = await serve((_q, res) => json(res, 200, { status_code: 200 }));
    expect(await client(srv.url, {}, async () => '').send(REQ)).toMatchObject({ kind: 'auth', httpStatus: 0 });
    expect(
      await client(srv.url, {}, async () => {
        throw new Error('keychain locked');
      }).send(REQ),
    ).toMatchObject({ kind: 'auth' });
    expect(srv.seen).toHaveLength(0);
  });
});

describe('delivery reports and token check', () => {
  it('fetches a full batch report at the URL-encoded template path and reads the Sinch shape', async () => {
    const srv = await serve((_q, res) =>
      json(res, 200, {
        type: 'delivery_report_sms',
        batch_id: 'g/1',
        total_message_count: 3,
        statuses: [
          { code: 0, status: 'Delivered', count: 2, recipients: ['2348031234567', '2348051234567'] },
          { code: 400, status: 'Queued', count: 1 },
        ],
      }),
    );
    const out = await client(srv.url).fetchBatchReport('g/1 x');
    expect(srv.seen[0].url).toBe('/ng/v1/batches/g%2F1%20x/delivery_report?type=full');
    expect(srv.seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(out).toEqual({
      kind: 'ok',
      batchId: 'g/1',
      total: 3,
      statuses: [
        { code: 0, status: 'Delivered', count: 2, recipients: ['2348031234567', '2348051234567'] },
        { code: 400, status: 'Queued', count: 1, recipients: null },
      ],
    });
  });

  it('fetches one recipient, and classifies 404, 401 and 503', async () => {
    const srv = await serve((req, res) => {
      if (req.url?.includes('missing')) return json(res, 404, { message: 'not found' });
      if (req.url?.includes('denied')) return json(res, 401, { message: 'no' });
      if (req.url?.includes('busy')) return json(res, 503, {}, { 'Retry-After': '5' });
      json(res, 200, {
        type: 'recipient_delivery_report_sms',
        batch_id: 'g1',
        recipient: '2348031234567',
        code: 0,
        status: 'DELIVRD',
        at: '2026-11-26T10:00:00Z',
      });
    });
    const c = client(srv.url);
    expect(await c.fetchRecipientReport('g1', '2348031234567')).toEqual({
      kind: 'ok',
      recipient: '2348031234567',
      code: 0,
      status: 'DELIVRD',
      at: '2026-11-26T10:00:00Z',
    });
    expect(srv.seen[0].url).toBe('/ng/v1/batches/g1/delivery_report/2348031234567');
    expect(await c.fetchBatchReport('missing')).toEqual({ kind: 'not-found' });
    expect(await c.fetchBatchReport('denied')).toMatchObject({ kind: 'error', auth: true, retryable: false });
    expect(await c.fetchBatchReport('busy')).toMatchObject({ kind: 'error', retryable: true });
    expect(await client(`http://127.0.0.1:${await freePort()}`).fetchBatchReport('g1')).toMatchObject({
      kind: 'error',
      retryable: true,
    });
  });

  it('checks a token by asking for a report that cannot exist', async () => {
    const srv = await serve((req, res) =>
      req.headers.authorization === `Bearer ${TOKEN}` ? json(res, 404, {}) : json(res, 401, {}),
    );
    expect(await client(srv.url).checkToken()).toMatchObject({ ok: true });
    const refused = await client(srv.url, {}, async () => 'wrong-token').checkToken();
    expect(refused.ok).toBe(false);
    // in words: no made-up batch reference, no command line
    expect(refused.message).toBe(
      '9bits refused this token (HTTP 401): check it in your 9bits account and paste it again.',
    );
    const offline = await client(`http://127.0.0.1:${await freePort()}`).checkToken();
    expect(offline.ok).toBe(false);
    expect(offline.message).toMatch(/refused the connection/);
    expect(srv.seen.every((s) => s.method === 'GET' && /smsdesk-token-check-/.test(s.url))).toBe(true);
  });
});
