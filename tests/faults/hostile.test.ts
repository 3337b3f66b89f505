/**
 * A hostile gateway: every answer it gives (send answers, delivery reports, error bodies, status
 * lines, headers, the token check) carries the API token it received, as is, URL-encoded,
 * JSON-escaped or base64, in every field it has: reference_id and batch_id are the token, a
 * status reads "Failed <token>", an error message has the token at character 280 (where a
 * 300-character clip would cut it in half). The campaign still ends right: every recipient
 * accepted once, every report applied. Then the database, its WAL, the log and every export
 * (CSV, XLSX and the XML inside it) are searched for the token and for any 12-character slice.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { REDACTED } from '../../electron/engine/redact.ts';
import { createGatewayClient } from '../../electron/engine/gateway/client.ts';
import { defaultSettings, type SettingKey } from '../../shared/settings.ts';
import { makeList, numbers, tempDir, waitFor } from '../helpers/engine.ts';
import { filesUnder, printSummary, recordStats, secretTraces } from './support.ts';

const N = 300;
// Characters that URL-encoding and JSON escaping change, so those echoes differ from the raw one.
const TOKEN = `9b-${randomBytes(12).toString('hex')}/Live+Key=`;

afterAll(() => printSummary());

/** Every kind of answer the hostile gateway gives; each one carries the token. */
const KINDS = {
  send503: 'send 503, token at character 280',
  sendTokenRef: 'send accepted, reference_id = token',
  sendUrlRef: 'send accepted, reference_id with the token URL-encoded',
  send429Html: 'send 429, HTML error page',
  send500: 'send 500 with the token JSON-escaped',
  sendB64Ref: 'send accepted, reference_id = token in base64url',
  sendClean: 'send accepted, clean reference_id (token in the message)',
  report302: 'report 302 first',
  report503: 'report 503 first',
  report404: 'report 404',
  reportOk: 'report with the token in every field',
  check401: 'token check 401',
} as const;
type Kind = keyof typeof KINDS;

/** What the hostile gateway did, to prove the echoes were really sent. */
interface GatewayRecord {
  kinds: Map<Kind, number>;
  accepted: Map<string, number>;
  byRef: Map<string, string[]>;
  cleanRefs: Map<string, string>;
}

function startHostile(): Promise<{ url: string; rec: GatewayRecord; close(): Promise<void> }> {
  const rec: GatewayRecord = { kinds: new Map(), accepted: new Map(), byRef: new Map(), cleanRefs: new Map() };
  let sends = 0;
  const reportCalls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const echo = String(req.headers.authorization ?? '');
      const tok = echo.replace(/^Bearer /, '');
      const b64 = Buffer.from(echo).toString('base64');
      const headers = {
        'content-type': 'application/json',
        'x-echo': echo,
        'x-echo-b64': b64,
        'www-authenticate': `Bearer realm="${tok}"`,
        'set-cookie': [`t=${encodeURIComponent(tok)}`],
      };
      const answer = (
        kind: Kind,
        status: number,
        json: unknown,
        extra: Record<string, string> = {},
        statusText = `Echo ${echo}`,
      ) => {
        rec.kinds.set(kind, (rec.kinds.get(kind) ?? 0) + 1);
        res.writeHead(status, statusText, { ...headers, ...extra });
        res.end(typeof json === 'string' ? json : JSON.stringify(json));
      };
      const accept = (ref: string) => {
        const sent = JSON.parse(body) as { to: string[]; reference_id?: string };
        for (const n of sent.to) rec.accepted.set(n, (rec.accepted.get(n) ?? 0) + 1);
        rec.byRef.set(sent.reference_id!, sent.to);
        rec.byRef.set(ref, sent.to);
        return sent;
      };
      if (req.method === 'POST') {
        const mode = sends++ % 7;
        if (mode === 0)
          return answer(
            'send503',
            503,
            { status_code: 503, message: `${'x'.repeat(280)} ${tok} is not allowed here` },
            { 'retry-after': '0' },
          );
        if (mode === 1) {
          const s = accept(tok);
          return answer('sendTokenRef', 200, {
            status_code: 200,
            reference_id: tok,
            recipients_processed: s.to.length,
            message: `Accepted for ${echo}`,
          });
        }
        if (mode === 2) {
          const ref = `gw-${encodeURIComponent(tok)}`;
          const s = accept(ref);
          return answer('sendUrlRef', 200, {
            status_code: '200',
            reference_id: ref,
            recipients_processed: s.to.length,
            message: b64,
          });
        }
        if (mode === 3)
          return answer(
            'send429Html',
            429,
            `<html><body><h1>Slow down</h1><p>${'y'.repeat(290)} ${tok}</p></body></html>`,
            { 'retry-after': '0', 'content-type': 'text/html' },
          );
        if (mode === 4) {
          // Every other time the batch was really lost: its lookup finds nothing (404), the user decides.
          const lost = (rec.kinds.get('send500') ?? 0) % 2 === 1;
          if (!lost) accept(`kept-${sends}`);
          return answer(
            'send500',
            500,
            `{"status_code":500,"message":"Internal error for ${JSON.stringify(echo).slice(1, -1).replace(/\//g, '\\/')}"}`,
          );
        }
        if (mode === 5) {
          const ref = Buffer.from(tok).toString('base64url');
          const s = accept(ref);
          return answer('sendB64Ref', 200, { status_code: 200, reference_id: ref, recipients_processed: s.to.length });
        }
        const ref = `gw-${sends}`;
        const s = accept(ref);
        rec.cleanRefs.set(s.reference_id!, ref);
        return answer('sendClean', 200, {
          status_code: 200,
          reference_id: ref,
          recipients_processed: s.to.length,
          message: `ok ${echo}`,
        });
      }
      const m = /\/batches\/([^/?]+)\/delivery_report/.exec(req.url ?? '');
      const ref = m ? decodeURIComponent(m[1]!) : '';
      if (ref.startsWith('smsdesk-token-check-'))
        return answer('check401', 401, { status_code: 401, message: `Unauthorized: ${echo}`, error: { message: tok } });
      const to = rec.byRef.get(ref);
      if (!to) return answer('report404', 404, { status_code: 404, message: `No batch for ${echo}` });
      const calls = (reportCalls.get(ref) ?? 0) + 1;
      reportCalls.set(ref, calls);
      if (calls === 1 && reportCalls.size % 2 === 0)
        return answer('report503', 503, { message: `busy, ${b64}` }, { 'retry-after': tok });
      if (calls === 1)
        return answer('report302', 302, '', { location: `https://evil.example/steal?t=${encodeURIComponent(tok)}` });
      const failed = to.filter((n) => Number(n.slice(-1)) % 2 === 1);
      return answer('reportOk', 200, {
        batch_id: tok,
        total_message_count: to.length,
        echo,
        error_description: b64,
        statuses: [
          {
            code: 0,
            status: `Delivered ${encodeURIComponent(tok)}`,
            count: to.length - failed.length,
            recipients: to.filter((n) => !failed.includes(n)),
          },
          { code: 400, status: `Failed ${tok}`, count: failed.length, recipients: failed },
        ],
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        rec,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

describe('a hostile gateway echoes the token in every answer', () => {
  it('the search finds the token and its 12-character slices, also inside an XLSX zip', () => {
    const dir = tempDir('smsdesk-hostile-control-');
    try {
      fs.writeFileSync(path.join(dir, 'plain.log'), `x ${TOKEN.slice(5, 17)} y`);
      const wb = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['a', TOKEN.slice(3, 20)]]), 'S');
      fs.writeFileSync(
        path.join(dir, 'sheet.xlsx'),
        XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer,
      );
      fs.writeFileSync(path.join(dir, 'clean.csv'), `a,${TOKEN.slice(0, 11)},${TOKEN.slice(12, 23)}`);
      const hits = secretTraces(filesUnder(dir), TOKEN);
      const where = hits.map((h) => path.relative(dir, h.split(' ')[0]!));
      expect(where).toContain('plain.log');
      expect(
        where.some((w) => /^sheet\.xlsx!xl\/.*\.xml$/.test(w)),
        where.join(', '),
      ).toBe(true);
      expect(hits.join('\n')).not.toMatch(/clean\.csv/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers that would pause a campaign (redirect, refused batch, refused token): their reasons and log lines hold no slice of the token', async () => {
    const answers: Array<(res: http.ServerResponse, echo: string, tok: string) => void> = [
      (res, echo, tok) => {
        res.writeHead(302, `Moved for ${echo}`, {
          location: `https://evil.example/?t=${encodeURIComponent(tok)}&b=${Buffer.from(echo).toString('base64')}`,
        });
        res.end();
      },
      (res, _echo, tok) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status_code: 400, message: `${'z'.repeat(280)}${tok} is not a sender ID` }));
      },
      (res, echo) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status_code: 403, error: { message: `Forbidden: ${echo}` } }));
      },
      (res, _echo, tok) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status_code: 200, reference_id: ` ${tok} `, recipients_processed: 1 }));
      },
    ];
    let i = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const echo = String(req.headers.authorization);
        answers[i++ % answers.length]!(res, echo, echo.replace(/^Bearer /, ''));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    try {
      const s = defaultSettings();
      const client = createGatewayClient({
        settings: { get: (k: SettingKey) => s[k] },
        token: async () => TOKEN,
        baseUrl: () => `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        log: (l) => lines.push(l),
      });
      const outs = [];
      for (let n = 0; n < answers.length; n++)
        outs.push(await client.send({ from: 'ACME', to: ['2348031234567'], text: 'x', clientRef: `c${n}` }));
      expect(outs.map((o) => o.kind)).toEqual(['failed', 'failed', 'auth', 'accepted']);
      expect(outs[0]).toMatchObject({
        reason: expect.stringContaining(`redirect (HTTP 302 Moved for Bearer ${REDACTED})`),
      });
      expect(outs[1]).toMatchObject({ reason: expect.stringContaining(REDACTED) });
      expect(outs[3]).toMatchObject({ gatewayRef: 'c3', refusedRef: true });
      const slices = Array.from({ length: TOKEN.length - 11 }, (_, k) => TOKEN.slice(k, k + 12));
      const text = JSON.stringify(outs) + lines.join('\n');
      expect(slices.filter((x) => text.includes(x))).toEqual([]);
      expect(lines.join('\n')).toMatch(/reference_id in the answer to batch c3 contains the API token/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it(`${N} recipients: the ledger ends right, and the token is nowhere (database, WAL, log, CSV and XLSX exports)`, async () => {
    const gw = await startHostile();
    const dataDir = tempDir('smsdesk-hostile-');
    // The log as the CLI and the app write it: one line per entry in the data folder.
    const logFile = path.join(dataDir, 'smsdesk.log');
    const log = (line: string) => fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
    const engine = await createEngine({
      dataDir,
      secrets: createMemorySecrets(TOKEN),
      gatewayUrl: gw.url,
      env: {},
      log,
    });
    const seen: string[] = [];
    engine.on((e) => seen.push(JSON.stringify(e)));
    let closed = false;
    try {
      for (const [k, v] of Object.entries({
        'rate.requestsPerSecond': 200,
        'rate.recipientsPerRequest': 10,
        'retry.initialMs': 20,
        'retry.maxMs': 100,
        'dlr.initialIntervalMs': 50,
        'dlr.maxIntervalMs': 200,
      }))
        engine.settings.set(k as never, v);
      const all = numbers(N, 70_000);
      makeList(engine, 'hostile', [
        ...all.map((phone) => ({ phone, name: 'Ada' })),
        { phone: 'not a number', name: 'x' },
      ]);
      const c = await engine.campaigns.create({ list: 'hostile', from: 'ACME', text: 'Hello {name}' });
      engine.campaigns.send(c.id);
      engine.start();
      await engine.waitIdle(c.id);
      // Batches whose 500 lost them are looked up (404), then re-sent by the user's decision.
      let resent = 0;
      for (let round = 0; ; round++) {
        const s = await waitFor(
          () => {
            const x = engine.campaigns.status(c.id);
            return x.counts.uncertain === x.needsDecision ? x : null;
          },
          'every uncertain batch looked up',
          30_000,
        );
        if (s.counts.uncertain === 0) break;
        expect(round, 'resend rounds').toBeLessThan(6);
        const listed = engine.campaigns.uncertain(c.id).batches.flatMap((b) => b.recipients.map((r) => r.msisdn));
        seen.push(JSON.stringify(engine.campaigns.uncertain(c.id).batches));
        for (const n of listed) expect(gw.rec.accepted.get(n) ?? 0, n).toBe(0);
        resent += listed.length;
        engine.campaigns.resolve(c.id, 'resend');
        await engine.waitIdle(c.id);
      }
      expect(resent).toBeGreaterThan(0);
      const final = await waitFor(
        () => {
          const s = engine.campaigns.status(c.id);
          return s.counts.delivered + s.counts.failed === N ? s : null;
        },
        'every recipient delivered or failed by a report',
        60_000,
      );
      seen.push(JSON.stringify(final), JSON.stringify(engine.campaigns.uncertain(c.id).batches));
      const check = await engine.token.test();
      seen.push(JSON.stringify(check));
      expect(check.ok).toBe(false);
      expect(check.message).toMatch(/9bits refused this token/);

      // The ledger: each recipient accepted once, with the status its report gave.
      const twice = all.filter((n) => (gw.rec.accepted.get(n) ?? 0) !== 1);
      expect(twice).toEqual([]);
      const msgs = engine.db
        .prepare<[number], { msisdn: string; status: string; raw_status: string | null; reason: string | null }>(
          'SELECT msisdn, status, raw_status, reason FROM messages WHERE campaign_id = ?',
        )
        .all(c.id);
      for (const m of msgs) {
        const failed = Number(m.msisdn.slice(-1)) % 2 === 1;
        expect(m, m.msisdn).toMatchObject(
          failed
            ? { status: 'failed', raw_status: `Failed ${REDACTED}`, reason: `Gateway report: Failed ${REDACTED}` }
            : { status: 'delivered', raw_status: `Delivered ${REDACTED}` },
        );
      }
      // References carrying the token were refused: the batch goes by our client reference;
      // a clean reference is kept as the gateway gave it.
      const batches = engine.db
        .prepare<[number], { client_ref: string; gateway_ref: string | null; recipients: number }>(
          `SELECT client_ref, gateway_ref, recipients FROM batches WHERE campaign_id = ? AND state = 'accepted'`,
        )
        .all(c.id);
      expect(batches.reduce((n, b) => n + b.recipients, 0)).toBe(N);
      for (const b of batches)
        expect(b.gateway_ref, b.client_ref).toBe(gw.rec.cleanRefs.get(b.client_ref) ?? b.client_ref);
      expect(batches.some((b) => gw.rec.cleanRefs.has(b.client_ref))).toBe(true);
      const logText = fs.readFileSync(logFile, 'utf8');
      expect(logText).toMatch(
        /reference_id in the answer to batch \S+ contains the API token, so it is not stored; the batch is tracked by its client reference/,
      );
      expect(logText).toMatch(/batch_id in the report .* contains the API token, so it is not stored/);
      expect(logText).toContain(REDACTED);

      // Every answer kind was given, each echoing the token.
      const kinds = [...gw.rec.kinds.keys()];
      expect(
        Object.keys(KINDS)
          .filter((k) => !gw.rec.kinds.has(k as Kind))
          .map((k) => KINDS[k as Kind]),
      ).toEqual([]);

      const exportsDir = path.join(dataDir, 'exports');
      const exported: string[] = [];
      for (const format of ['csv', 'xlsx'] as const) {
        exported.push((await engine.campaigns.export(c.id, path.join(exportsDir, `results.${format}`), format)).file);
        exported.push(
          (
            await engine.lists.exportRejects(
              engine.lists.list()[0]!.id,
              path.join(exportsDir, `rejects.${format}`),
              format,
            )
          ).file,
        );
      }
      const csv = fs.readFileSync(exported[0]!, 'utf8');
      expect(csv).toContain(`Failed ${REDACTED}`); // the gateway_status column, redacted, not empty

      // Searched while the engine is open (the WAL holds the latest writes), and again after.
      const open = filesUnder(dataDir);
      expect(open.map((f) => path.basename(f))).toEqual(
        expect.arrayContaining(['smsdesk.log', 'results.csv', 'results.xlsx', 'rejects.csv', 'rejects.xlsx']),
      );
      const wal = open.filter((f) => f.endsWith('-wal'));
      expect(wal.length, 'a WAL file to search').toBeGreaterThan(0);
      const leaks = secretTraces(open, TOKEN);
      const slices = Array.from({ length: TOKEN.length - 11 }, (_, i) => TOKEN.slice(i, i + 12));
      const memory = seen.filter((s) => slices.some((x) => s.includes(x)));
      await engine.close();
      closed = true;
      const after = filesUnder(dataDir);
      leaks.push(...secretTraces(after, TOKEN));
      expect(leaks).toEqual([]);
      expect(memory, 'events and answers the renderer gets').toEqual([]);
      const answers = [...gw.rec.kinds.values()].reduce((a, b) => a + b, 0);
      recordStats('hostile', {
        recipients: N,
        faults: answers,
        crashes: 0,
        lost: all.filter((n) => !gw.rec.accepted.has(n)).length,
        duplicated: twice.length,
        tokenLeaks: leaks.length + memory.length,
        notes: [`${answers} echoing answers of ${kinds.length} kinds`],
      });
      console.log(
        `hostile gateway: ${N} recipients, ${answers} answers echoing the token (${kinds.length} kinds), searched ${open.length} files while open (incl. ${wal.length} WAL) and ${after.length} after close, ${exported.length} exports (XLSX unzipped), ${seen.length} events/answers; token leaks ${leaks.length + memory.length}`,
      );
    } finally {
      if (!closed) await engine.close();
      await gw.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
