import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets, KeychainUnavailableError, type Secrets } from '../../electron/engine/secrets/index.ts';
import { createEventBridge, createHandlers, type FileSink, type Handlers } from '../../electron/handlers/index.ts';
import type { EventName } from '../../shared/ipc/contract.ts';
import { numbers, tempDir, waitFor } from '../helpers/engine.ts';
import { FREEZE_SLICE } from '../../electron/engine/campaigns/service.ts';

type Eng = Awaited<ReturnType<typeof createEngine>>;
let engine: Eng;
let h: Handlers;
let dataDir: string;
let saveDir: string;
let answerDialog: string | null;

/** what the Electron save dialog does: gives a path the user picked (or null for Cancel) */
const files: FileSink = {
  savePath: async (name) => (answerDialog === null ? null : path.join(saveDir, answerDialog || name)),
  deliver: async (file) => ({ path: file, downloadUrl: null }),
};

async function ok<T>(
  p: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>,
): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function importList(name: string, n: number) {
  const { importId } = await ok(h['imports.begin']({ list: name, fields: ['first_name'], phoneColumn: 'phone' }));
  const rows = numbers(n).map((phone, i) => ({ row: i + 2, phone, fields: { first_name: `Ada${i}` } }));
  rows.push({ row: n + 2, phone: 'not a number', fields: { first_name: 'X' } });
  await ok(h['imports.add']({ importId, rows }));
  return ok(h['imports.commit']({ importId }));
}

beforeEach(async () => {
  dataDir = tempDir('smsdesk-handlers-');
  saveDir = tempDir('smsdesk-saves-');
  answerDialog = '';
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
  h = createHandlers(engine, { mode: 'electron', version: '9.9.9', platform: 'linux', files });
});
afterEach(async () => {
  await engine.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(saveDir, { recursive: true, force: true });
});

describe('handlers over a real engine', () => {
  it('app.info tells the UI it runs on the sandbox when no token is set', async () => {
    expect(await ok(h['app.info']())).toEqual({
      version: '9.9.9',
      sandbox: true,
      dataDir: engine.dataDir,
      platform: 'linux',
      mode: 'electron',
    });
    expect(await ok(h['token.status']())).toEqual({ set: false, source: null, sandbox: true });
  });

  it('imports in chunks, pages the contacts and rejects, and previews the cost', async () => {
    const report = await importList('Customers', 30);
    expect(report).toMatchObject({ list: { name: 'Customers' }, valid: 30, invalid: 1 });
    const lists = await ok(h['lists.list']());
    expect(lists.map((l) => [l.name, l.contacts])).toEqual([['Customers', 30]]);
    const page = await ok(h['lists.contacts']({ listId: report.list.id, offset: 10, limit: 5 }));
    expect(page.total).toBe(30);
    expect(page.rows.map((r) => r.fields.first_name)).toEqual(['Ada10', 'Ada11', 'Ada12', 'Ada13', 'Ada14']);
    const rejects = await ok(h['lists.rejects']({ listId: report.list.id }));
    expect(rejects.rows).toEqual([expect.objectContaining({ kind: 'invalid', value: 'not a number' })]);
    answerDialog = 'fix-me.csv';
    const fix = await ok(h['lists.exportRejects']({ listId: report.list.id }));
    expect(fix).toMatchObject({
      saved: true,
      rows: 1,
      name: 'Customers-rejected.csv',
      path: path.join(saveDir, 'fix-me.csv'),
    });
    expect(fs.readFileSync(fix.path!, 'utf8')).toContain('not a number');
    const preview = await ok(h['campaigns.preview']({ list: 'Customers', text: 'Hello {first_name}' }));
    expect(preview).toMatchObject({
      recipients: 30,
      encoding: 'GSM-7',
      unknownFields: [],
      templateError: null,
      longest: { text: expect.stringMatching(/^Hello Ada/) },
    });
    const unknown = await ok(h['campaigns.preview']({ list: report.list.id, text: 'Hello {nope}' }));
    expect(unknown).toMatchObject({ unknownFields: ['nope'], templateError: expect.stringContaining('nope') });
  });

  it("tells the page how far a big campaign is prepared, in the contract's own event", async () => {
    const n = FREEZE_SLICE * 2 + 10;
    const { importId } = await ok(h['imports.begin']({ list: 'Big', fields: [], phoneColumn: 'phone' }));
    const rows = numbers(n).map((phone, i) => ({ row: i + 2, phone, fields: {} }));
    for (let i = 0; i < n; i += 2000) await ok(h['imports.add']({ importId, rows: rows.slice(i, i + 2000) }));
    await ok(h['imports.commit']({ importId }));
    const got: Array<[EventName, unknown]> = [];
    const off = createEventBridge(engine, (name, payload) => got.push([name, payload]));
    const c = await ok(h['campaigns.create']({ list: 'Big', from: 'Shop', text: 'Hello' }));
    off();
    expect(c.recipients).toBe(n);
    // the first slice is told at once; the rest at most four times a second
    expect(got.filter(([name]) => name === 'campaign-preparing')[0]).toEqual([
      'campaign-preparing',
      { contacts: FREEZE_SLICE, of: n },
    ]);
  });

  it('sends a campaign on the sandbox, with campaign events, message pages, a chart and an export', async () => {
    await importList('Send', 25);
    const got: Array<[EventName, unknown]> = [];
    const off = createEventBridge(engine, (name, payload) => got.push([name, payload]));
    engine.start();
    const c = await ok(h['campaigns.create']({ list: 'Send', from: 'Shop', text: 'Hi {first_name}' }));
    expect(c).toMatchObject({ state: 'draft', recipients: 25 });
    await ok(h['campaigns.send']({ id: c.id }));
    const done = await waitFor(
      () =>
        got.find(
          ([n, p]) =>
            n === 'campaign' &&
            (p as { status: { counts: { delivered: number; queued: number; submitting: number } } }).status?.counts
              .queued === 0 &&
            (p as { status: { counts: { submitting: number } } }).status.counts.submitting === 0,
        ),
      'a campaign event with nothing left to send',
    );
    expect((done[1] as { campaignId: number }).campaignId).toBe(c.id);
    off();
    const msgs = await ok(h['campaigns.messages']({ id: c.id, limit: 10 }));
    expect(msgs.total).toBe(25);
    expect(msgs.rows[0]).toMatchObject({ seq: expect.any(Number), text: 'Hi Ada0' });
    expect(Array.isArray(await ok(h['campaigns.chart']({ id: c.id })))).toBe(true);

    answerDialog = 'results.csv';
    const exp = await ok(h['campaigns.export']({ id: c.id, format: 'csv' }));
    expect(exp).toMatchObject({ saved: true, rows: 25, path: path.join(saveDir, 'results.csv'), downloadUrl: null });
    expect(fs.readFileSync(exp.path!, 'utf8')).toContain('Hi Ada24');

    answerDialog = null; // the user pressed Cancel in the save dialog
    expect(await ok(h['campaigns.export']({ id: c.id, format: 'xlsx' }))).toMatchObject({
      saved: false,
      rows: 0,
      path: null,
    });
  });

  it("an unknown campaign fails with the engine's sentence, not a stack trace", async () => {
    const r = await h['campaigns.status']({ id: 424242 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).not.toBe('INTERNAL');
    expect(r.error.message).toMatch(/424242|campaign/i);
    expect(r.error.message).not.toMatch(/\bat .*\.ts:\d+/);
    const exp = await h['campaigns.export']({ id: 424242 });
    expect(exp).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a list is named by one rule everywhere: a number is its id, a text its name first (a list named "7" is not list 7)', async () => {
    const probe = await importList('Probe', 1);
    // a list whose name is the id the next list will get, made before that list
    const named = await importList(String(probe.list.id + 2), 3);
    const target = await importList('Gamma', 4);
    expect(target.list.id, 'ids are given in order').toBe(probe.list.id + 2);
    const id = target.list.id;
    // a number: the list with that id, never the list with that name (which comes first in the table)
    expect((await ok(h['campaigns.create']({ list: id, from: 'Shop', text: 'Hi' }))).listId).toBe(id);
    expect((await ok(h['campaigns.preview']({ list: id, text: 'Hi' }))).recipients).toBe(4);
    expect((await ok(h['lists.get']({ id })))!.name).toBe('Gamma');
    // a text: the list with that name, the same in lists.get, campaigns.create and campaigns.preview
    expect((await ok(h['campaigns.create']({ list: String(id), from: 'Shop', text: 'Hi' }))).listId).toBe(
      named.list.id,
    );
    expect((await ok(h['campaigns.preview']({ list: String(id), text: 'Hi' }))).recipients).toBe(3);
    expect((await ok(h['lists.get']({ id: String(id) })))!.id).toBe(named.list.id);
    // digits that name no list still find the list with that id
    expect((await ok(h['campaigns.preview']({ list: String(probe.list.id), text: 'Hi' }))).recipients).toBe(1);
  });

  it('token.status says why the keychain cannot be read (Settings shows it), instead of a bare "no token"', async () => {
    const broken: Secrets = {
      get: async () => {
        throw new KeychainUnavailableError(
          'locked',
          'The system keychain is locked: unlock it (log in again) and reopen SMS Desk.',
        );
      },
      set: async () => {},
      clear: async () => {},
      source: async () => null,
    };
    const dir = tempDir('smsdesk-keychain-');
    const e = await createEngine({ dataDir: dir, secrets: broken, env: {} });
    try {
      const hh = createHandlers(e, { mode: 'electron', version: '9.9.9', platform: 'linux', files });
      const s = await ok(hh['token.status']());
      expect(s).toMatchObject({
        set: false,
        source: null,
        sandbox: true,
        problem: expect.stringMatching(/keychain is locked: unlock it/),
      });
    } finally {
      await e.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('settings.set takes form strings, returns every setting, and refuses bad values with a sentence', async () => {
    const all = await ok(h['settings.set']({ key: 'rate.requestsPerSecond', value: '7' }));
    expect(all['rate.requestsPerSecond']).toBe(7);
    const bad = await h['settings.set']({ key: 'rate.requestsPerSecond', value: 'fast' });
    expect(bad).toMatchObject({ ok: false, error: { message: expect.stringMatching(/rate\.requestsPerSecond/) } });
    expect((await ok(h['settings.all']()))['rate.requestsPerSecond']).toBe(7);
  });

  it('the token goes in and never comes out, not even in an error', async () => {
    const token = 'tok-9bits-5f1e2d3c4b5a69788796a5b4';
    const set = await h['token.set']({ token });
    expect(set).toEqual({ ok: true, value: { set: true, source: 'keychain', sandbox: false } });
    expect((await ok(h['app.info']())).sandbox).toBe(false);
    const everything = await Promise.all([h['token.status'](), h['app.info'](), h['settings.all']()]);
    expect(JSON.stringify([set, everything])).not.toContain(token);

    const bad = await h['token.set']({ token: `${token} extra` });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain(token.slice(4, 20));

    expect(await ok(h['token.clear']())).toEqual({ set: false, source: null, sandbox: true });
  });
});
