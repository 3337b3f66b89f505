/**
 * One owner per data folder, in one process (a second engine, a restarted worker): the second
 * engine reads and refuses writes with the owner's sentence, never recovers, never looks reports
 * up; the ledger check at start-up sets stranded recipients back to "ask the user".
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type EngineDeps } from '../../electron/engine/engine.ts';
import { METHODS } from '../../electron/engine/api.ts';
import { startEngineHost } from '../../electron/host/index.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { checkLedger } from '../../electron/engine/queue/invariants.ts';
import {
  engineWithSandbox,
  makeList,
  numbers,
  tempDir,
  waitFor,
  TEST_TOKEN,
  type TestEngine,
} from '../helpers/engine.ts';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function second(dataDir: string, url: string, owner?: EngineDeps['owner']): Promise<TestEngine> {
  const e = await createEngine({ dataDir, secrets: createMemorySecrets(TEST_TOKEN), gatewayUrl: url, env: {}, owner });
  open.push(e);
  return e;
}

describe('the data folder has one owner', () => {
  it('a second engine reads, refuses every change with who owns the folder, and takes over once the owner closes', async () => {
    // The gateway holds the request until the engine's answer timeout (closing waits for it).
    const t = await engineWithSandbox({
      sandbox: { faults: { pAcceptThenHang: 1 } },
      settings: { 'gateway.answerTimeoutMs': 3000 },
    });
    open.push(t);
    const { engine, sandbox, dataDir } = t;
    makeList(
      engine,
      'own',
      numbers(10).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'own', from: 'ACME', text: 'one owner' });
    engine.campaigns.send(c.id);
    engine.start();
    // A request in flight that the gateway holds: exactly what a second process must not touch.
    await waitFor(() => sandbox.record().accepted.length === 1, 'the request reached the gateway');
    expect(engine.folder.owner).toBe(true);

    const reader = await second(dataDir, sandbox.url);
    expect(reader.folder.owner).toBe(false);
    expect(reader.folder.message).toMatch(
      new RegExp(
        `^SMS Desk is using this folder: process ${process.pid} \\(SMS Desk\\), since \\d\\d:\\d\\d; use that window or stop it first\\.$`,
      ),
    );
    // Reads work, from the same ledger.
    expect(reader.campaigns.list().map((x) => x.id)).toEqual([c.id]);
    expect(reader.campaigns.status(c.id).counts.submitting).toBe(10);
    // No recovery: the owner's request is still in flight, in the file and for the owner.
    expect(engine.db.prepare(`SELECT state FROM batches`).pluck().all()).toEqual(['submitting']);
    // Every change is refused with the sentence; nothing is written.
    const before = fs.statSync(path.join(dataDir, 'smsdesk.db')).mtimeMs;
    for (const attempt of [
      () => reader.campaigns.pause(c.id),
      () => reader.campaigns.create({ list: 'own', from: 'ACME', text: 'x' }),
      () => reader.settings.set('rate.requestsPerSecond', 3),
      () => reader.optouts.add(['2348031234567']),
      () => reader.campaigns.resolve(c.id, 'resend'),
      () => reader.imports.begin({ list: 'x', fields: [], phoneColumn: 'phone' }),
    ]) {
      expect(attempt).toThrow(reader.folder.message!);
    }
    expect(() => reader.campaigns.testSend({ from: 'ACME', text: 'hi', to: '2348031234567' })).toThrow(
      reader.folder.message!,
    );
    // ... and so is every method the registry marks `owner`, before it looks at its arguments.
    const ownerOnly = Object.entries(METHODS).filter(([, how]) => 'owner' in how);
    expect(ownerOnly.length).toBeGreaterThan(20);
    for (const [key] of ownerOnly) {
      const [g, m] = key.split('.') as [string, string];
      const fn = (reader as unknown as Record<string, Record<string, () => unknown>>)[g]![m]!;
      expect(() => fn(), key).toThrow(reader.folder.message!);
    }
    // Reports: what is known, no lookup that could call the in-flight batch "not found".
    const gets = sandbox.record().reportRequests;
    const s = await reader.pollReports(c.id, { waitMs: 0 });
    expect(s.counts.submitting).toBe(10);
    expect(sandbox.record().reportRequests).toBe(gets);
    reader.start(); // a no-op beside an owner
    expect(sandbox.record().accepted.length).toBe(1);
    expect(fs.statSync(path.join(dataDir, 'smsdesk.db')).mtimeMs).toBe(before);
    await expect(second(dataDir, sandbox.url, { what: 'smsdesk send', need: 'write' })).rejects.toMatchObject({
      code: 'FOLDER_BUSY',
    });

    // The owner stops; the next engine that asks owns the folder at once.
    await engine.close();
    open.splice(open.indexOf(t), 1);
    const next = await second(dataDir, sandbox.url, { what: 'smsdesk send', need: 'write' });
    expect(next.folder.owner).toBe(true);
    expect(next.db.prepare(`SELECT state FROM batches`).pluck().all()).toEqual(['uncertain']);
    await sandbox.close();
  }, 30_000);
});

describe('the app and web mode own their folder', () => {
  it("a second one refuses to start with the first one's sentence; once it closes, the folder is free", async () => {
    const dataDir = tempDir();
    const host = (owner: string) =>
      startEngineHost({ dataDir, env: {}, secrets: { kind: 'memory', token: null }, owner });
    const app = await host('SMS Desk app');
    try {
      await expect(host('SMS Desk web')).rejects.toMatchObject({
        code: 'FOLDER_BUSY',
        message: expect.stringMatching(
          new RegExp(
            `^SMS Desk is using this folder: process ${process.pid} \\(SMS Desk app\\), since \\d\\d:\\d\\d; use that window or stop it first\\.$`,
          ),
        ),
      });
      expect(await app.lists.list()).toEqual([]);
    } finally {
      await app.close();
    }
    const web = await host('SMS Desk web');
    expect(await web.lists.list()).toEqual([]);
    await web.close();
  }, 30_000);
});

describe('the ledger check at start-up', () => {
  it('finds recipients stranded on a returned batch of a "completed" campaign and hands them back to be checked and decided', async () => {
    const t = await engineWithSandbox({ settings: { 'rate.recipientsPerRequest': 10 } });
    open.push(t);
    const { engine, sandbox, dataDir } = t;
    const all = numbers(20, 7000);
    makeList(
      engine,
      'stranded',
      all.map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'stranded', from: 'ACME', text: 'stranded' });
    engine.campaigns.send(c.id);
    await engine.close();
    open.splice(open.indexOf(t), 1);

    // The state finding 1 left behind: the batch returned (503), its messages uncertain, the campaign "completed".
    const raw = new Database(path.join(dataDir, 'smsdesk.db'));
    const old = Date.now() - 600_000;
    const bid = Number(
      raw
        .prepare(
          `INSERT INTO batches (campaign_id, client_ref, state, recipients, parts, text, created_at, sent_at, answered_at, http_status, error, dlr_done)
      VALUES (?, 'strandedref0001', 'returned', 10, 10, 'stranded', ?, ?, ?, 503, 'Service unavailable', 1)`,
        )
        .run(c.id, old, old, old).lastInsertRowid,
    );
    raw
      .prepare(
        `UPDATE messages SET status = 'uncertain', batch_id = ?, updated_at = ? WHERE campaign_id = ? AND seq <= 10`,
      )
      .run(bid, old, c.id);
    raw
      .prepare(`UPDATE messages SET status = 'cancelled', updated_at = ? WHERE campaign_id = ? AND seq > 10`)
      .run(old, c.id);
    // Every writer keeps the status counters itself (migration 4): so does this one.
    raw.prepare(`DELETE FROM campaign_counts WHERE campaign_id = ?`).run(c.id);
    raw
      .prepare(
        `INSERT INTO campaign_counts SELECT campaign_id, status, COUNT(*) FROM messages WHERE campaign_id = ? GROUP BY 1, 2`,
      )
      .run(c.id);
    raw.prepare(`UPDATE campaigns SET state = 'completed', finished_at = ? WHERE id = ?`).run(old, c.id);
    expect(
      checkLedger(raw)
        .map((v) => [v.rule, v.n])
        .sort(),
    ).toEqual([
      ['batch-holds', 10],
      ['completed', 10],
    ]);
    raw.close();

    const e = await second(dataDir, sandbox.url);
    for (const [k, v] of Object.entries({ 'dlr.initialIntervalMs': 100, 'dlr.maxIntervalMs': 200 }))
      e.settings.set(k as never, v);
    expect(checkLedger(e.db, { thorough: true })).toEqual([]);
    let s = e.campaigns.status(c.id);
    expect(s.state, 'not completed while anyone is undecided').toBe('sending');
    expect(s.counts.uncertain).toBe(10);
    e.start();
    // Looked up by its reference (the gateway never saw it), then offered to the user: never silence.
    s = await waitFor(() => {
      const x = e.campaigns.status(c.id);
      return x.needsDecision === 10 ? x : null;
    }, 'the stranded recipients offered to resolve');
    expect(e.campaigns.uncertain(c.id).batches.flatMap((b) => b.recipients.map((r) => r.msisdn))).toEqual(
      all.slice(0, 10),
    );
    e.campaigns.resolve(c.id, 'resend');
    s = await waitFor(() => {
      const x = e.campaigns.status(c.id);
      return x.state === 'completed' ? x : null;
    }, 'the campaign completes after the re-send');
    for (const n of all.slice(0, 10)) expect(sandbox.acceptedCount(n), n).toBe(1);
    expect(checkLedger(e.db, { thorough: true })).toEqual([]);
    await sandbox.close();
  });

  it('"mark failed" on the last undecided recipients completes the campaign at once', async () => {
    const t = await engineWithSandbox({
      sandbox: { faults: { p500: 1 } },
      settings: { 'rate.recipientsPerRequest': 10 },
    });
    open.push(t);
    const { engine } = t;
    makeList(
      engine,
      'decide',
      numbers(10, 8000).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'decide', from: 'ACME', text: 'decide' });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(c.id).needsDecision === 10, 'the 500 batch needs a decision');
    expect(engine.campaigns.status(c.id).state).toBe('sending');
    const s = engine.campaigns.resolve(c.id, 'mark-failed');
    expect(s.state).toBe('completed');
    expect(s.counts.failed).toBe(10);
  });
});
