/**
 * Hostile input, one table: files, command-line arguments, IPC payloads through the real
 * handlers, settings values. Each gets one clear sentence (no stack trace, no "[object Object]"),
 * nothing crashes, and every table of the database is byte-for-byte what it was.
 * Then gateway answers that are not JSON, have the wrong types or are huge, from tiny servers
 * on 127.0.0.1: a clear reason, nothing marked accepted that the gateway did not confirm.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { cliHere } from '../helpers/cli.ts';
import { createHandlers, type Handlers } from '../../electron/handlers/index.ts';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { RETRY_AFTER_CAP_MS } from '../../electron/engine/queue/sender.ts';
import { lyingZip, zerosDeflated } from '../fixtures/zip.ts';
import { makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { printSummary, recordStats, tableDigests, ROOT } from './support.ts';

const FIX = path.join(ROOT, 'tests/fixtures/import');
const stats = { recipients: 0, faults: 0, crashes: 0, lost: 0, duplicated: 0, tokenLeaks: 0 };
afterAll(() => {
  recordStats('input', stats);
  printSummary();
});

let dataDir: string;
let dbFile: string;
let work: string;
let sandbox: Sandbox;
let engine: Awaited<ReturnType<typeof createEngine>>;
let h: Handlers;
let campaignId: number;

beforeAll(async () => {
  sandbox = await startSandbox({ tokens: [TEST_TOKEN] });
  dataDir = tempDir('smsdesk-faults-input-');
  dbFile = path.join(dataDir, 'smsdesk.db');
  work = tempDir('smsdesk-faults-files-');
  await openEngine();
  makeList(
    engine,
    'Existing',
    numbers(5).map((phone, i) => ({ phone, first_name: `Ada${i}` })),
  );
  await engine.optouts.add(['2348039999999'], 'test');
  engine.settings.set('rate.requestsPerSecond', 7);
  campaignId = (await engine.campaigns.create({ list: 'Existing', from: 'ACME', text: 'Hi {first_name}' })).id;
});

async function openEngine() {
  engine = await createEngine({ dataDir, secrets: createMemorySecrets(TEST_TOKEN), gatewayUrl: sandbox.url, env: {} });
  h = createHandlers(engine, {
    mode: 'electron',
    version: '0.0.0',
    platform: 'linux',
    files: { savePath: async () => null, deliver: async () => ({ path: null, downloadUrl: null }) },
  });
}
afterAll(async () => {
  await engine?.close();
  await sandbox?.close();
});

function file(name: string, content: string | Uint8Array): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, content);
  return p;
}

/** The CLI in this process, as `smsdesk --data-dir DIR ARGS…` with the token in the environment. */
async function cli(args: string[]): Promise<{ code: number; message: string }> {
  // A command that writes must own the data folder (one owner per folder): this file's engine steps aside.
  await engine.close();
  try {
    const { code, out, err } = await cliHere(dataDir, args, {
      SMSDESK_TOKEN: TEST_TOKEN,
      SMSDESK_GATEWAY_URL: sandbox.url,
    });
    return { code, message: err || out };
  } finally {
    await openEngine();
  }
}

async function ipc(route: keyof Handlers, input: unknown): Promise<{ code: number; message: string }> {
  const r = await (h[route] as (i: unknown) => Promise<{ ok: boolean; error?: { code: string; message: string } }>)(
    input,
  );
  return r.ok ? { code: 0, message: 'accepted' } : { code: 1, message: `${r.error!.code}: ${r.error!.message}` };
}

function setting(key: string, value: unknown): Promise<{ code: number; message: string }> {
  try {
    engine.settings.set(key as never, value);
    return Promise.resolve({ code: 0, message: 'accepted' });
  } catch (e) {
    return Promise.resolve({ code: 1, message: (e as Error).message });
  }
}

type Case = [name: string, run: () => Promise<{ code: number; message: string }>, expected: RegExp];

const cases: Case[] = [
  // files, through `smsdesk import`
  ['empty file', () => cli(['import', path.join(FIX, 'empty.csv'), '--list', 'New']), /empty/i],
  ['binary data named .csv', () => cli(['import', path.join(FIX, 'binary-named.csv'), '--list', 'New']), /binary/i],
  [
    'a PDF named .csv',
    () =>
      cli([
        'import',
        file('scan.csv', Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), Buffer.alloc(4000, 7)])),
        '--list',
        'New',
      ]),
    /PDF|binary|not a/i,
  ],
  [
    'a 2-million-character cell',
    () =>
      cli([
        'import',
        file('long.csv', `Name,Phone\nAda,08031234501\nBola,"${'x'.repeat(2_000_000)}"\n`),
        '--list',
        'New',
      ]),
    /row 3/,
  ],
  [
    'a zip bomb .xlsx that lies about its sizes',
    () =>
      cli([
        'import',
        file(
          'bomb.xlsx',
          lyingZip([
            { name: '[Content_Types].xml', data: new TextEncoder().encode('<Types/>'), declared: 8 },
            { name: 'xl/worksheets/sheet1.xml', data: zerosDeflated(300), declared: 1000 },
          ]),
        ),
        '--list',
        'New',
      ]),
    /unpack|too large/i,
  ],
  [
    'a password-protected workbook',
    () => cli(['import', path.join(FIX, 'protected.xls'), '--list', 'New']),
    /password/i,
  ],
  ['unbalanced quotes', () => cli(['import', path.join(FIX, 'unbalanced-quotes.csv'), '--list', 'New']), /quote/i],
  ['a folder given as the file', () => cli(['import', work, '--list', 'New']), /folder|directory|cannot|not a file/i],
  [
    'a file that does not exist',
    () => cli(['import', path.join(work, 'nope.csv'), '--list', 'New']),
    /cannot open|not found|does not exist/i,
  ],
  [
    'a list name already taken',
    () => cli(['import', path.join(FIX, 'contacts-utf8.csv'), '--list', 'Existing']),
    /already exists/,
  ],
  // command-line arguments
  ['an unknown option', () => cli(['lists', '--frobnicate']), /Unknown option --frobnicate/],
  ['send without a campaign', () => cli(['send']), /Name the campaign/],
  ['a campaign name that does not exist', () => cli(['status', 'no such campaign']), /no campaign called/],
  ['a campaign number that does not exist', () => cli(['status', '987654']), /no campaign 987654/],
  ['--wait with a word', () => cli(['dlr', '1', '--wait=soon']), /--wait takes a number/],
  [
    '--limit that is not a whole number',
    () => cli(['optout', 'list', '--limit', '1e9x']),
    /--limit must be a whole number/,
  ],
  ['a missing --text', () => cli(['campaign', 'create', '--list', 'Existing', '--from', 'ACME']), /Missing --text/],
  ['an option missing its value', () => cli(['campaign', 'create', '--list']), /--list needs a value/],
  [
    '--send-at that is not a date',
    () => cli(['campaign', 'create', '--list', 'Existing', '--from', 'ACME', '--text', 'hi', '--send-at', 'tomorrow']),
    /ISO 8601/,
  ],
  [
    'an SQL-injection-like list name',
    () => cli(['campaign', 'create', '--list', "x'; DROP TABLE lists; --", '--from', 'ACME', '--text', 'hi']),
    /no list called/,
  ],
  [
    'a shell-injection-like sender ID',
    () => cli(['campaign', 'create', '--list', 'Existing', '--from', 'ACME$(rm -rf ~)', '--text', 'hi']),
    /sender/i,
  ],
  ['resolve without a decision', () => cli(['resolve', '1']), /Choose one: --resend/],
  [
    'export under a path that is a file',
    () => cli(['export', '1', '--out', path.join(file('plain.txt', 'x'), 'out.csv')]),
    /Could not write .*Choose another folder/,
  ],
  ['an unknown command', () => cli(['launch-missiles']), /Unknown command/],
  // settings values (CLI, handlers and the engine itself)
  [
    'a plain-http gateway that is not this computer',
    () => cli(['config', 'set', 'gateway.baseUrl', 'http://gateway.example.com']),
    /https/,
  ],
  [
    'a gateway URL with a user and password',
    () => setting('gateway.baseUrl', 'https://user:pw@app.9bits.net'),
    /user name or password/,
  ],
  ['a gateway URL that is not a URL', () => setting('gateway.baseUrl', 'javascript:alert(1)'), /https|URL/],
  [
    'a negative rate',
    () => cli(['config', 'set', 'rate.requestsPerSecond', '-5']),
    /rate\.requestsPerSecond cannot be "-5"/,
  ],
  [
    'NaN as a rate',
    () => cli(['config', 'set', 'rate.requestsPerSecond', 'NaN']),
    /rate\.requestsPerSecond cannot be "NaN"/,
  ],
  ['a huge rate', () => setting('rate.requestsPerSecond', 1e12), /rate\.requestsPerSecond cannot be/],
  [
    'Infinity as an answer timeout',
    () => setting('gateway.answerTimeoutMs', Infinity),
    /gateway\.answerTimeoutMs cannot be/,
  ],
  [
    'a string where a boolean belongs',
    () => setting('gateway.clientReference', 'perhaps'),
    /gateway\.clientReference cannot be/,
  ],
  [
    'an object as the sender list',
    () => ipc('settings.set', { key: 'sender.recent', value: { a: 1 } }),
    /sender\.recent/,
  ],
  [
    'a setting that does not exist',
    () => cli(['config', 'set', 'no.such.key', '1']),
    /no setting called "no\.such\.key"/,
  ],
  [
    '__proto__ as a setting key',
    () => ipc('settings.set', { key: '__proto__', value: { polluted: true } }),
    /BAD_INPUT/,
  ],
  // IPC payloads through the real handlers
  [
    'a list reference that is an object',
    () => ipc('campaigns.create', { list: { $gt: '' }, from: 'ACME', text: 'hi' }),
    /BAD_INPUT/,
  ],
  ['a fractional id', () => ipc('lists.delete', { id: 1.5 }), /BAD_INPUT/],
  ['a negative page offset', () => ipc('campaigns.messages', { id: 1, offset: -1, limit: 10 }), /BAD_INPUT/],
  ['a decision that is not one of the two', () => ipc('campaigns.resolve', { id: 1, decision: 'nuke' }), /BAD_INPUT/],
  [
    'rows for an import that was never begun',
    () => ipc('imports.add', { importId: 'forged-id', rows: [{ row: 2, phone: '08031234567', fields: {} }] }),
    /import/i,
  ],
  [
    'a 200,000-character message',
    () => ipc('campaigns.create', { list: 'Existing', from: 'ACME', text: 'x'.repeat(200_000) }),
    /BAD_INPUT|too long|long/i,
  ],
  ['a path-traversal export format', () => ipc('campaigns.export', { id: 1, format: '../../etc/passwd' }), /BAD_INPUT/],
];

describe('hostile input: a clear sentence, no crash, stored data unchanged', () => {
  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it.each(cases)(
    '%s',
    async (_name, run, expected) => {
      const before = tableDigests(dbFile);
      const r = await run();
      expect(r.code, r.message).not.toBe(0);
      expect(r.message).toMatch(expected);
      expect(r.message, 'no stack trace').not.toMatch(/\n\s+at |\.ts:\d+/);
      expect(r.message).not.toMatch(/\[object Object\]|undefined|NaN is not/);
      expect(r.message.trim().length).toBeLessThan(600);
      expect(tableDigests(dbFile)).toEqual(before);
      expect(engine.campaigns.get(campaignId)?.state).toBe('draft');
      stats.faults++;
    },
    60_000,
  );
});

describe('an export the disk refuses leaves the engine usable', () => {
  // Found by this suite: the export's open row iterator kept the shared connection busy, so
  // after one failed export every query (the send loop's too) failed with "connection is busy".
  const refusing = () =>
    createHandlers(engine, {
      mode: 'electron',
      version: '0.0.0',
      platform: 'linux',
      files: {
        savePath: async (name) => path.join(file('not-a-folder', 'x'), name),
        deliver: async (f) => ({ path: f, downloadUrl: null }),
      },
    });

  it.each(['csv', 'xlsx'] as const)('campaign results (%s)', async (format) => {
    const r = await refusing()['campaigns.export']({ id: campaignId, format });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'EXPORT_FAILED', message: expect.stringMatching(/Could not write .*Choose another folder/) },
    });
    expect(engine.campaigns.status(campaignId).recipients).toBe(5);
    expect(engine.settings.set('price.perPart', 5)).toBe(5); // a write: refused while a query is left open
  });

  // The same leak was in the rejected-rows export (found by this suite, fixed in lists/export.ts).
  it('rejected rows', async () => {
    // On an engine of its own: the leaked query would otherwise break the rest of this file.
    const own = await createEngine({
      dataDir: tempDir('smsdesk-faults-rejects-'),
      secrets: createMemorySecrets(null),
      env: {},
    });
    try {
      makeList(own, 'R', [{ phone: 'not a number' }, { phone: numbers(1)[0] }]);
      const hr = createHandlers(own, {
        mode: 'electron',
        version: '0.0.0',
        platform: 'linux',
        files: {
          savePath: async (name) => path.join(file('not-a-folder-2', 'x'), name),
          deliver: async (f) => ({ path: f, downloadUrl: null }),
        },
      });
      const r = await hr['lists.exportRejects']({ listId: own.lists.list()[0].id });
      expect(r.ok).toBe(false);
      expect(own.settings.set('price.perPart', 6)).toBe(6);
    } finally {
      await own.close().catch(() => {});
    }
  });
});

describe('gateway answers that are not what the contract says', () => {
  let server: http.Server;
  let url: string;
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, s) => {
    s.writeHead(404);
    s.end();
  };
  let eng: Awaited<ReturnType<typeof createEngine>>;
  let reportLookups = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      if (req.method !== 'POST') reportLookups++;
      req.on('end', () =>
        req.method === 'POST'
          ? answer(req, res)
          : (res.writeHead(200, { 'content-type': 'application/json' }),
            res.end('{"type": 5, "statuses": "all good"}')),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    eng = await createEngine({
      dataDir: tempDir('smsdesk-faults-answers-'),
      secrets: createMemorySecrets(TEST_TOKEN),
      gatewayUrl: url,
      env: {},
    });
    for (const [k, v] of Object.entries({
      'rate.requestsPerSecond': 1000,
      'dlr.initialIntervalMs': 50,
      'dlr.maxIntervalMs': 100,
      'gateway.answerTimeoutMs': 1000,
    }))
      eng.settings.set(k as never, v);
    eng.start();
  });
  afterAll(async () => {
    await eng?.close();
    await new Promise((r) => server?.close(r));
  });

  const json =
    (status: number, body: string, headers: Record<string, string> = {}) =>
    (_q: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };

  const answers: Array<[string, typeof answer, 'uncertain' | 'failed' | 'paused', RegExp]> = [
    ['200 with an HTML page', json(200, '<html><body>OK!</body></html>'), 'uncertain', /not a JSON object/],
    ['200 with a JSON array', json(200, '[]'), 'uncertain', /not a JSON object/],
    [
      '200 with status_code of the wrong type',
      json(200, '{"status_code": {"ok": true}}'),
      'uncertain',
      /no status_code/,
    ],
    [
      '200 with 3 MB of padding (over the answer cap)',
      json(200, `{"status_code":200,"message":"${' '.repeat(3 * 1024 * 1024)}"}`),
      'uncertain',
      /cut short/,
    ],
    [
      '200 cut off mid-body',
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"status_code":200,');
        setTimeout(() => res.destroy(), 20);
      },
      'uncertain',
      /cut short|reset|may have/,
    ],
    [
      '400 with a 1 MB HTML error page',
      json(400, `<html>${'<p>error</p>'.repeat(90_000)}</html>`),
      'paused',
      /refused the batch \(HTTP 400/,
    ],
  ];

  it.each(answers)(
    '%s → %s with a clear reason',
    async (_name, a, expected, reason) => {
      answer = a;
      const list = `l${Math.random().toString(36).slice(2, 8)}`;
      makeList(
        eng,
        list,
        numbers(3).map((phone) => ({ phone })),
      );
      const c = await eng.campaigns.create({ list, from: 'ACME', text: 'x' });
      eng.campaigns.send(c.id);
      const s = await eng.waitIdle(c.id);
      if (expected === 'paused') {
        expect(s.state).toBe('paused');
        expect(s.pauseReason).toMatch(reason);
        expect(s.pauseReason!.length).toBeLessThan(600);
        expect(s.counts.queued).toBe(3);
      } else {
        expect(s.counts.uncertain).toBe(3);
      }
      expect(s.counts.accepted + s.counts.sent + s.counts.delivered).toBe(0);
      if (expected === 'uncertain') {
        // The report endpoint answers nonsense too: nothing is resolved by it, and after a few
        // lookups the batch goes to the user to decide (found by this suite: it used to wait forever).
        const seen = reportLookups;
        await waitFor(() => eng.campaigns.status(c.id).needsDecision === 3, 'the user asked after failed lookups');
        expect(reportLookups).toBeGreaterThanOrEqual(seen + 3);
        expect(eng.campaigns.status(c.id).counts.uncertain).toBe(3);
        const [b] = eng.campaigns.uncertain(c.id).batches;
        expect(b.recipients).toHaveLength(3);
        expect(b.error).toMatch(reason);
        expect(b.error!.length).toBeLessThan(600);
      }
      stats.faults++;
    },
    30_000,
  );

  it('429 asking to wait for years is capped at an hour', async () => {
    answer = json(429, '{"status_code":429,"message":"slow down"}', { 'Retry-After': '99999999' });
    makeList(
      eng,
      'years',
      numbers(2).map((phone) => ({ phone })),
    );
    const c = await eng.campaigns.create({ list: 'years', from: 'ACME', text: 'x' });
    eng.campaigns.send(c.id);
    const row = await waitFor(
      () =>
        eng.db.prepare<[number], { retry_at: number | null }>('SELECT retry_at FROM campaigns WHERE id = ?').get(c.id)
          ?.retry_at ?? null,
      'a back-off written',
    );
    expect(row - Date.now()).toBeLessThanOrEqual(RETRY_AFTER_CAP_MS);
    expect(row - Date.now()).toBeGreaterThan(RETRY_AFTER_CAP_MS - 60_000);
    expect(eng.campaigns.status(c.id).counts.queued).toBe(2);
    eng.campaigns.pause(c.id);
    stats.faults++;
  });
});
