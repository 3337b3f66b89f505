/**
 * The token leak test. A distinctive token goes in through SMSDESK_TOKEN, through a real
 * keychain (gnome-keyring in a private D-Bus session) and through the renderer's token.set;
 * full campaigns run with it against a faulty sandbox and against a hostile gateway that echoes
 * the Authorization header back in every answer. Then everything is searched: the database file
 * and its WAL, the log, CSV and XLSX exports (read back), the output of CLI children (one killed
 * mid-send, some failing), and every answer and event the renderer receives. The token appears
 * nowhere.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { createEventBridge, createHandlers, type Handlers } from '../../electron/handlers/index.ts';
import { ROUTE_NAMES, type RouteName } from '../../shared/ipc/contract.ts';
import { numbers, tempDir, waitFor } from '../helpers/engine.ts';
import { cli, filesContaining, filesUnder, ROOT, secretTraces } from '../faults/support.ts';

const TOKEN = `tok-LEAKCHECK-${randomBytes(12).toString('hex')}`;
const WITH_KEYRING = path.join(ROOT, 'scripts/with-keyring.sh');

let sandbox: Sandbox;
let echo: http.Server;
let echoUrl: string;
/** every piece of text a user or the renderer could see */
const seen: Array<{ where: string; text: string }> = [];
const dirs: string[] = [];
const exports: string[] = [];

function have(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const keyring = have('dbus-run-session') && have('gnome-keyring-daemon') && have('dbus-send');

beforeAll(async () => {
  sandbox = await startSandbox({
    tokens: [TOKEN],
    seed: 3,
    timing: { dispatchMs: 30, finalMs: 80 },
    faults: { seed: 3, p500: 0.15, pAcceptThen500: 0.15, p503: 0.1 },
  });
  // A hostile gateway: every answer quotes the Authorization header it received.
  echo = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '');
      const status = req.method === 'POST' ? 500 : req.url?.includes('smsdesk-token-check') ? 401 : 400;
      res.writeHead(status, { 'content-type': 'application/json', 'x-echo': auth });
      res.end(
        JSON.stringify({
          status_code: status,
          message: `Rejected ${auth}; your token ${auth.replace(/^Bearer /, '')} is logged`,
        }),
      );
    });
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
});
afterAll(async () => {
  await sandbox?.close();
  await new Promise((r) => echo?.close(r));
});

function csvFile(dir: string, n: number, start = 0): string {
  const p = path.join(dir, `contacts-${start}.csv`);
  fs.writeFileSync(
    p,
    ['phone,first_name', ...numbers(n, start).map((x, i) => `0${x.slice(3)},Ada${i}`)].join('\n') + '\n',
  );
  return p;
}

async function run(dataDir: string, args: string[], env: Record<string, string>, json = true) {
  const r = await cli(dataDir, args, env, { json }).done;
  seen.push({ where: `smsdesk ${args.join(' ')}`, text: r.out + r.err });
  return r;
}

describe('the API token never leaves the keychain / environment', () => {
  it('CLI with SMSDESK_TOKEN: a full campaign on a faulty gateway, a crash, a hostile echoing gateway, exports', async () => {
    const dataDir = tempDir('smsdesk-leak-cli-');
    dirs.push(dataDir);
    const env = { SMSDESK_TOKEN: TOKEN, SMSDESK_GATEWAY_URL: sandbox.url };
    expect((await run(dataDir, ['import', csvFile(dataDir, 300), '--list', 'leak'], env)).code).toBe(0);
    expect((await run(dataDir, ['config', 'set', 'rate.recipientsPerRequest', '20'], env)).code).toBe(0);
    const setup = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    for (const [k, v] of Object.entries({
      'rate.requestsPerSecond': 50,
      'dlr.initialIntervalMs': 100,
      'retry.initialMs': 50,
      'retry.maxMs': 200,
    }))
      setup.settings.set(k as never, v);
    await setup.close();
    expect(
      (await run(dataDir, ['campaign', 'create', '--list', 'leak', '--from', 'ACME', '--text', 'Hi {first_name}'], env))
        .code,
    ).toBe(0);
    expect((await run(dataDir, ['send', '1', '--wait'], env, false)).code).toBe(0);
    await run(dataDir, ['dlr', '1', '--wait', '2'], env);
    await run(dataDir, ['resolve', '1', '--resend'], env);
    expect((await run(dataDir, ['send', '1', '--wait'], env)).code).toBe(0);
    await run(dataDir, ['dlr', '1', '--wait', '1'], env);
    for (const f of ['results.csv', 'results.xlsx']) {
      const out = path.join(dataDir, f);
      expect((await run(dataDir, ['export', '1', '--out', out], env)).code).toBe(0);
      exports.push(out);
    }
    await run(dataDir, ['status', '1'], env, false);
    await run(dataDir, ['config', 'list'], env);
    await run(dataDir, ['token', 'status'], env, false);
    await run(dataDir, ['token', 'test'], env, false);

    // Killed mid-send: whatever it printed so far.
    await run(dataDir, ['campaign', 'create', '--list', 'leak', '--from', 'ACME', '--text', 'second'], env);
    const before = sandbox.record().accepted.length;
    const child = cli(dataDir, ['send', '2', '--wait'], env, { json: false });
    await waitFor(
      () => sandbox.record().accepted.length >= before + 2 || child.child.exitCode !== null,
      'two batches of the second campaign',
      30_000,
    );
    child.child.kill('SIGKILL');
    const killed = await child.done;
    seen.push({ where: 'killed send', text: killed.out + killed.err });
    expect((await run(dataDir, ['send', '2', '--wait'], env)).code).toBe(0);

    // The hostile gateway quotes the token in every answer: sends, reports and the token check.
    const hostile = { SMSDESK_TOKEN: TOKEN, SMSDESK_GATEWAY_URL: echoUrl };
    await run(dataDir, ['campaign', 'create', '--list', 'leak', '--from', 'ACME', '--text', 'third'], hostile);
    await run(dataDir, ['config', 'set', 'rate.recipientsPerRequest', '100'], hostile);
    const third = await run(dataDir, ['send', '3', '--wait'], hostile, false);
    expect(third.out + third.err).toMatch(/uncertain/);
    await run(dataDir, ['dlr', '3', '--wait', '1'], hostile, false);
    const test = await run(dataDir, ['token', 'test'], hostile, false);
    expect(test.code).toBe(1);
    expect(test.out + test.err).toMatch(/9bits refused this token/);
    const out = path.join(dataDir, 'hostile.xlsx');
    await run(dataDir, ['export', '3', '--out', out], hostile);
    exports.push(out);
    expect(fs.readFileSync(path.join(dataDir, 'smsdesk.log'), 'utf8')).toMatch(/gateway: send/);
  }, 180_000);

  it.skipIf(!keyring)(
    'token kept in the real keychain (gnome-keyring over D-Bus) for a whole campaign',
    async () => {
      const dataDir = tempDir('smsdesk-leak-keychain-');
      dirs.push(dataDir);
      const home = tempDir('smsdesk-leak-home-');
      // a keychain entry of this test's own, never the real "SMS Desk" one
      const service = `SMS Desk test ${process.pid}-${Date.now().toString(36)}`;
      const base = {
        ...process.env,
        WITH_KEYRING_HOME: home,
        SMSDESK_GATEWAY_URL: sandbox.url,
        SMSDESK_TOKEN: '',
        SMSDESK_KEYCHAIN_SERVICE: service,
      };
      delete (base as Record<string, string | undefined>).SMSDESK_TOKEN;
      const inKeyring = (args: string[], stdin = '') =>
        new Promise<{ code: number | null; text: string }>((resolve) => {
          const c = spawn(
            WITH_KEYRING,
            [process.execPath, path.join(ROOT, 'bin/smsdesk.js'), '--data-dir', dataDir, ...args],
            { cwd: ROOT, env: base, stdio: ['pipe', 'pipe', 'pipe'] },
          );
          let text = '';
          c.stdout.on('data', (d) => (text += d));
          c.stderr.on('data', (d) => (text += d));
          c.stdin.end(stdin);
          c.on('close', (code) => {
            seen.push({ where: `keyring: smsdesk ${args.join(' ')}`, text });
            resolve({ code, text });
          });
        });
      const set = await inKeyring(['token', 'set'], `${TOKEN}\n`);
      expect(set.code, set.text).toBe(0);
      expect((await inKeyring(['--json', 'token', 'status'])).text).toMatch(/"source":"keychain"/);
      expect((await inKeyring(['import', csvFile(dataDir, 100, 5000), '--list', 'kc'])).code).toBe(0);
      await inKeyring(['config', 'set', 'rate.requestsPerSecond', '50']);
      await inKeyring(['campaign', 'create', '--list', 'kc', '--from', 'ACME', '--text', 'keychain']);
      const sent = await inKeyring(['--json', 'send', '1', '--wait']);
      expect(sent.code, sent.text).toBe(0);
      expect(JSON.parse(sent.text.trim().split('\n').pop()!).sandbox).toBe(false); // the keychain token was used: live mode
      await inKeyring(['token', 'test']);
      fs.rmSync(home, { recursive: true, force: true }); // the keyring itself holds the token, by design
    },
    120_000,
  );

  it("the renderer: every route's answer and every event, with the token set through token.set", async () => {
    for (const gatewayUrl of [sandbox.url, echoUrl]) {
      const dataDir = tempDir('smsdesk-leak-renderer-');
      dirs.push(dataDir);
      const engine = await createEngine({ dataDir, secrets: createMemorySecrets(null), gatewayUrl, env: {} });
      const exportDir = tempDir('smsdesk-leak-exports-');
      const h: Handlers = createHandlers(engine, {
        mode: 'electron',
        version: '0.0.0',
        platform: 'linux',
        files: {
          savePath: async (name) => path.join(exportDir, name),
          deliver: async (f) => ({ path: f, downloadUrl: null }),
        },
      });
      const off = createEventBridge(engine, (name, payload) =>
        seen.push({ where: `event ${name}`, text: JSON.stringify(payload) }),
      );
      const call = async (route: RouteName, input?: unknown) => {
        const r = await (h[route] as (i: unknown) => Promise<unknown>)(input);
        seen.push({ where: `route ${route}`, text: JSON.stringify(r) });
        return r as { ok: boolean; value?: unknown };
      };
      try {
        for (const [k, v] of Object.entries({
          'rate.requestsPerSecond': 200,
          'rate.recipientsPerRequest': 20,
          'dlr.initialIntervalMs': 100,
          'dlr.maxIntervalMs': 200,
          'retry.initialMs': 50,
          'retry.maxMs': 200,
        }))
          await call('settings.set', { key: k, value: v });
        expect(await call('token.set', { token: TOKEN })).toMatchObject({ ok: true });
        const begun = (await call('imports.begin', { list: 'r', fields: ['first_name'], phoneColumn: 'phone' })) as {
          value: { importId: string };
        };
        await call('imports.add', {
          importId: begun.value.importId,
          rows: numbers(120, 9000)
            .map((phone, i) => ({ row: i + 2, phone, fields: { first_name: `B${i}` } }))
            .concat([{ row: 200, phone: 'nonsense', fields: { first_name: '=1+1' } }]),
        });
        const report = (await call('imports.commit', { importId: begun.value.importId })) as {
          value: { list: { id: number } };
        };
        engine.start();
        const c = (await call('campaigns.create', { list: 'r', from: 'ACME', text: 'Hello {first_name}' })) as {
          value: { id: number };
        };
        const id = c.value.id;
        await call('campaigns.send', { id });
        await engine.waitIdle(id);
        await engine.pollReports(id, { waitMs: 500 });
        const listId = report.value.list.id;
        const reads: Array<[RouteName, unknown]> = [
          ['app.info', undefined],
          ['settings.all', undefined],
          ['token.status', undefined],
          ['token.test', undefined],
          ['lists.list', undefined],
          ['lists.get', { id: listId }],
          ['lists.contacts', { listId, offset: 0, limit: 50 }],
          ['lists.rejects', { listId }],
          ['lists.exportRejects', { listId, format: 'xlsx' }],
          ['optouts.list', { offset: 0, limit: 10 }],
          ['campaigns.list', undefined],
          ['campaigns.get', { id }],
          ['campaigns.status', { id }],
          ['campaigns.uncertain', { id }],
          ['campaigns.messages', { id, offset: 0, limit: 200 }],
          ['campaigns.chart', { id }],
          ['campaigns.preview', { list: 'r', text: 'x {first_name}' }],
          ['campaigns.export', { id, format: 'csv' }],
          ['campaigns.export', { id, format: 'xlsx' }],
          ['campaigns.testSend', { from: 'ACME', text: 'test', to: '08031230000' }],
        ];
        for (const [route, input] of reads) {
          expect(ROUTE_NAMES).toContain(route);
          await call(route, input);
        }
        // the hostile gateway's words reach the renderer, redacted
        if (gatewayUrl === echoUrl)
          expect(JSON.stringify(seen.filter((s) => s.where === 'route campaigns.uncertain').pop())).toMatch(
            /Rejected Bearer/,
          );
        for (const f of fs.readdirSync(exportDir)) exports.push(path.join(exportDir, f));
      } finally {
        off();
        await engine.close();
      }
    }
  }, 120_000);

  it('appears nowhere: database, WAL, log, exports (read back), CLI output, renderer answers and events', () => {
    expect(seen.length).toBeGreaterThan(50);
    expect(exports.length).toBeGreaterThanOrEqual(5);
    const leaks: string[] = [];
    for (const d of dirs) leaks.push(...filesContaining(d, TOKEN));
    // also any 12-character slice of it, and inside the XLSX zips
    for (const d of dirs) leaks.push(...secretTraces(filesUnder(d), TOKEN));
    leaks.push(...secretTraces(exports, TOKEN));
    const slices = Array.from({ length: TOKEN.length - 11 }, (_, i) => TOKEN.slice(i, i + 12));
    for (const s of seen) if (slices.some((x) => s.text.includes(x))) leaks.push(s.where);
    for (const f of exports) {
      if (f.endsWith('.xlsx')) {
        const wb = XLSX.read(fs.readFileSync(f));
        for (const name of wb.SheetNames) if (XLSX.utils.sheet_to_csv(wb.Sheets[name]).includes(TOKEN)) leaks.push(f);
      } else if (fs.readFileSync(f, 'utf8').includes(TOKEN)) leaks.push(f);
    }
    // The search works: the token is findable where it is meant to be.
    expect(seen.some((s) => s.text.includes('Rejected Bearer'))).toBe(true);
    expect(leaks).toEqual([]);
    console.log(
      `token leak check: ${dirs.length} data folders, ${exports.length} exports, ${seen.length} outputs/answers/events searched, token leaks ${leaks.length}`,
    );
  });
});
