import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { createEventBridge, createHandlers } from '../../electron/handlers/index.ts';
import { createDownloadStore, type DownloadStore } from '../../electron/web/downloads.ts';
import { keyMatches, startWebServer, type WebServer } from '../../electron/web/server.ts';
import { numbers, tempDir, waitFor } from '../helpers/engine.ts';

const KEY = 'test-key-0123456789abcdefghijklmnop';
let engine: Awaited<ReturnType<typeof createEngine>>;
let server: WebServer;
let downloads: DownloadStore;
let staticDir: string;
let dataDir: string;

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** raw HTTP on 127.0.0.1, so Host and Origin can be set the way a hostile page would */
function request(
  p: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: p,
        method: opts.method ?? 'GET',
        headers: { Host: `127.0.0.1:${server.port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** every response body of the run, to check afterwards that the token never appeared in one */
const bodies: string[] = [];
async function call(route: string, input?: unknown, headers: Record<string, string> = {}) {
  const res = await request('/api/call', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-SMSDesk-Key': KEY, ...headers },
    body: JSON.stringify({ route, input: input ?? null }),
  });
  bodies.push(res.body);
  return { status: res.status, result: JSON.parse(res.body) };
}

beforeAll(async () => {
  dataDir = tempDir('smsdesk-web-');
  // a file beside the served folder stands for package.json / the data folder: it must stay out of reach
  staticDir = path.join(tempDir('smsdesk-static-'), 'renderer');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, '..', 'package.json'), '{"name": "smsdesk"}');
  fs.writeFileSync(
    path.join(staticDir, 'index.html'),
    '<!doctype html><title>SMS Desk</title><script type="module" src="/assets/app.js"></script>',
  );
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  engine = await createEngine({
    dataDir,
    secrets: createMemorySecrets(null),
    env: {},
    sandbox: { timing: { dispatchMs: 30, finalMs: 80 } },
  });
  for (const [k, v] of Object.entries({
    'dlr.initialIntervalMs': 100,
    'dlr.maxIntervalMs': 300,
    'rate.requestsPerSecond': 1000,
  }))
    engine.settings.set(k as never, v);
  downloads = createDownloadStore();
  const handlers = createHandlers(engine, {
    mode: 'web',
    version: '1.2.3',
    platform: process.platform,
    files: downloads.sink,
  });
  server = await startWebServer({
    handlers,
    staticDir,
    key: KEY,
    downloads,
    subscribe: (emit) => createEventBridge(engine, emit),
  });
  engine.start();
});
afterAll(async () => {
  await server?.close();
  downloads?.close();
  await engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(path.dirname(staticDir), { recursive: true, force: true });
});

describe('web bridge: who may talk to it', () => {
  it('listens on 127.0.0.1 only, and refuses to listen anywhere else', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?key=${KEY}`);
    await expect(startWebServer({ handlers: {} as never, staticDir, key: KEY, host: '0.0.0.0' })).rejects.toThrow(
      /only listens on 127\.0\.0\.1/,
    );
    await expect(startWebServer({ handlers: {} as never, staticDir, key: KEY, port: server.port })).rejects.toThrow(
      `Port ${server.port} on 127.0.0.1 is already in use`,
    );
  });

  it('401 without the key or with a wrong one', async () => {
    for (const headers of [
      {},
      { 'X-SMSDesk-Key': 'wrong' },
      { 'X-SMSDesk-Key': KEY.slice(0, -1) },
      { 'X-SMSDesk-Key': `${KEY}x` },
    ] as Array<Record<string, string>>) {
      const res = await request('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: '{"route":"app.info"}',
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error.code).toBe('UNAUTHORIZED');
    }
    expect(
      (
        await request(`/api/call?key=${KEY}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"route":"app.info"}',
        })
      ).status,
    ).toBe(401);
  });

  it('421 for a foreign Host header (DNS rebinding), even with the key', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${server.port}`,
      `127.0.0.1:${server.port + 1}`,
      `192.168.1.5:${server.port}`,
      `127.0.0.1.evil.example:${server.port}`,
    ]) {
      const res = await request('/api/call', {
        method: 'POST',
        headers: { Host: host, 'Content-Type': 'application/json', 'X-SMSDesk-Key': KEY },
        body: '{"route":"app.info"}',
      });
      expect(res.status, host).toBe(421);
      expect(JSON.parse(res.body).error.code).toBe('FORBIDDEN');
    }
    expect((await request('/', { headers: { Host: 'attacker.example' } })).status).toBe(421);
  });

  it('403 for a foreign Origin or a cross-site fetch, even with the key', async () => {
    for (const origin of [
      'https://evil.example',
      `http://evil.example:${server.port}`,
      'null',
      `http://127.0.0.1:${server.port + 1}`,
    ]) {
      const { status, result } = await call('app.info', undefined, { Origin: origin });
      expect(status, origin).toBe(403);
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect((await call('app.info', undefined, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
  });

  it('200 with the key, from our own origin under either loopback name', async () => {
    const a = await call('app.info', undefined, { Origin: `http://127.0.0.1:${server.port}` });
    expect(a).toMatchObject({
      status: 200,
      result: { ok: true, value: { mode: 'web', sandbox: true, version: '1.2.3' } },
    });
    const b = await call('app.info', undefined, {
      Host: `localhost:${server.port}`,
      Origin: `http://localhost:${server.port}`,
    });
    expect(b.status).toBe(200);
  });

  it('accepts JSON only (no text/plain form posts) and answers bad bodies with BAD_INPUT', async () => {
    const plain = await request('/api/call', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-SMSDesk-Key': KEY },
      body: '{"route":"app.info"}',
    });
    expect(plain.status).toBe(415);
    const junk = await request('/api/call', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-SMSDesk-Key': KEY },
      body: '{not json',
    });
    expect(junk.status).toBe(400);
    expect((await call('no.such', {})).result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await call('campaigns.status', { id: 'x' })).result).toMatchObject({
      ok: false,
      error: { code: 'BAD_INPUT' },
    });
  });

  // A page that posts too much must get a sentence to show, not a reset connection.
  it.each([
    ['with its length announced', true],
    ['streamed without a length', false],
  ])('answers an upload over 32 MB %s with 413 and a sentence, then closes', async (_name, announced) => {
    const size = 33 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const got = await new Promise<{ status: number; body: string; closedByServer: boolean }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/call',
          method: 'POST',
          agent: false,
          headers: {
            Host: `127.0.0.1:${server.port}`,
            'Content-Type': 'application/json',
            'X-SMSDesk-Key': KEY,
            ...(announced ? { 'Content-Length': String(size) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0,
              body = Buffer.concat(chunks).toString('utf8');
            // the server, not this client, ends the connection once the upload is drained
            if (res.socket.destroyed) resolve({ status, body, closedByServer: true });
            else res.socket.once('close', () => resolve({ status, body, closedByServer: true }));
          });
        },
      );
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(got.status).toBe(413);
    expect(JSON.parse(got.body)).toEqual({
      ok: false,
      error: { code: 'BAD_INPUT', message: expect.stringMatching(/larger than 32 MB.*smaller chunks/) },
    });
    expect(got.closedByServer).toBe(true);
    // and the bridge still answers the next call
    expect((await call('app.info')).status).toBe(200);
  });

  it('compares keys in constant time over equal-length digests', () => {
    expect(keyMatches(KEY, KEY)).toBe(true);
    expect(keyMatches('', KEY)).toBe(false);
    expect(keyMatches(null, KEY)).toBe(false);
  });
});

describe('web bridge: the page', () => {
  it('serves the built page with a strict CSP and nosniff, and nothing outside it', async () => {
    const page = await request('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>SMS Desk</title>');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await request('/assets/app.js')).headers['content-type']).toMatch(/text\/javascript/);
    expect((await request('/campaigns/3')).body).toContain('<title>SMS Desk</title>');
    // a path climbing out gets a 404 (or, once URL parsing folded it away, the app page): never the file
    for (const p of [
      '/../package.json',
      '/..%2fpackage.json',
      '/..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%5c..%5cpackage.json',
    ]) {
      const res = await request(p);
      expect(res.body, p).not.toMatch(/"name": "smsdesk"|root:x:0/);
      expect(res.status === 404 || res.body.includes('<title>SMS Desk</title>'), p).toBe(true);
    }
    expect((await request('/assets/missing.js')).status).toBe(404);
  });
});

describe('web bridge: routes against the real engine', () => {
  it('imports, sends on the sandbox with events over SSE, and hands out an export once', async () => {
    const events: string[] = [];
    const sse = http.get(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/api/events',
        headers: { Host: `127.0.0.1:${server.port}`, 'X-SMSDesk-Key': KEY },
      },
      (res) => {
        expect(res.headers['content-type']).toMatch(/text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (c: string) => events.push(c));
      },
    );
    await waitFor(() => events.length > 0, 'the event stream to open');

    const begin = await call('imports.begin', { list: 'Web', fields: ['name'], phoneColumn: 'phone' });
    const importId = begin.result.value.importId as string;
    const rows = numbers(12).map((phone, i) => ({ row: i + 2, phone, fields: { name: `N${i}` } }));
    expect((await call('imports.add', { importId, rows })).result.value).toMatchObject({ valid: 12 });
    const report = (await call('imports.commit', { importId })).result.value;
    expect(report).toMatchObject({ list: { name: 'Web' }, valid: 12 });

    const c = (await call('campaigns.create', { list: 'Web', from: 'Shop', text: 'Hello {name}' })).result.value;
    expect((await call('campaigns.send', { id: c.id })).result.ok).toBe(true);
    await waitFor(
      () => events.join('').includes('event: campaign\ndata: {"campaignId":' + c.id),
      'a campaign event over SSE',
    );
    await waitFor(async () => {
      const s = (await call('campaigns.status', { id: c.id })).result.value;
      return s.counts.queued === 0 && s.counts.submitting === 0;
    }, 'the campaign to be handed over');
    sse.destroy();

    const exp = (await call('campaigns.export', { id: c.id, format: 'csv' })).result.value;
    expect(exp).toMatchObject({
      saved: true,
      rows: 12,
      path: null,
      downloadUrl: expect.stringMatching(/^\/api\/download\/[\w-]{20,}$/),
    });
    expect((await request(exp.downloadUrl)).status).toBe(401);
    const file = await request(exp.downloadUrl, { headers: { 'X-SMSDesk-Key': KEY } });
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="/);
    expect(file.body).toContain('Hello N11');
    expect((await request(exp.downloadUrl, { headers: { 'X-SMSDesk-Key': KEY } })).status).toBe(410);
  });

  it('token.set round-trip: the token is in no response body, ever', async () => {
    const token = 'tok-web-8a7b6c5d4e3f2a1b0c9d';
    expect((await call('token.set', { token })).result).toEqual({
      ok: true,
      value: { set: true, source: 'keychain', sandbox: false },
    });
    expect((await call('app.info')).result.value.sandbox).toBe(false);
    await call('token.status');
    await call('settings.all');
    await call('token.set', { token: `${token}\u00e9` });
    expect((await call('token.clear')).result.value).toEqual({ set: false, source: null, sandbox: true });
    expect(bodies.length).toBeGreaterThan(10);
    for (const b of bodies) expect(b).not.toContain(token);
  });
});
