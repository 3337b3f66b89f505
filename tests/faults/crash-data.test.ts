/**
 * Crashes that hit the data file itself: SIGKILL during a big CSV import, SIGKILL during a
 * long migration transaction, and a copy of smsdesk.db + -wal taken while a send writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { LATEST_VERSION } from '../../electron/engine/db/migrations.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { engineWithSandbox, makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { cli, printSummary, recordStats, ROOT, seeded, tableDigests } from './support.ts';
import { checkLedger } from '../../electron/engine/queue/invariants.ts';

const stats = { recipients: 0, faults: 0, crashes: 0, lost: 0, duplicated: 0, tokenLeaks: 0 };
afterAll(() => {
  recordStats('crashdata', stats);
  printSummary();
});

function countRows(dbFile: string, sql: string): number {
  if (!fs.existsSync(dbFile)) return 0;
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

describe('crash during an import', () => {
  it('SIGKILL at seeded points of a 150,000-row CSV import: after restart there is no list or the complete one', async () => {
    const ROWS = 150_000;
    const dir = tempDir('smsdesk-faults-import-');
    const csv = path.join(dir, 'big.csv');
    const lines = ['phone,first_name'];
    for (const n of numbers(ROWS)) lines.push(`0${n.slice(3)},Name ${n.slice(-4)}`);
    fs.writeFileSync(csv, lines.join('\n') + '\n');
    const dataDir = path.join(dir, 'data');
    const dbFile = path.join(dataDir, 'smsdesk.db');
    const rnd = seeded(77);

    for (let i = 0; i < 3; i++) {
      const threshold = 2000 + Math.floor(rnd() * 60_000);
      const run = cli(dataDir, ['import', csv, '--list', 'big'], {});
      await waitFor(
        () => countRows(dbFile, `SELECT count(*) FROM contacts`) >= threshold || run.child.exitCode !== null,
        `${threshold} contacts stored`,
        60_000,
      );
      expect(run.child.exitCode, 'the import was still running when killed').toBeNull();
      run.child.kill('SIGKILL');
      await run.done;
      stats.crashes++;
      const lists = await cli(dataDir, ['lists'], {}).done;
      expect(lists.code, lists.err).toBe(0);
      expect(JSON.parse(lists.out).lists).toEqual([]);
      // start-up removed the half list, its contacts and its rejects
      expect(countRows(dbFile, `SELECT count(*) FROM contacts`)).toBe(0);
      expect(countRows(dbFile, `SELECT count(*) FROM lists`)).toBe(0);
    }
    const full = await cli(dataDir, ['import', csv, '--list', 'big'], {}).done;
    expect(full.code, full.err).toBe(0);
    const lists = JSON.parse((await cli(dataDir, ['lists'], {}).done).out).lists;
    expect(lists).toEqual([expect.objectContaining({ name: 'big', contacts: ROWS })]);
  }, 180_000);
});

describe('crash during a migration', () => {
  it('a child killed inside a long migration transaction leaves a database that opens, intact, at the old version', async () => {
    const dataDir = tempDir('smsdesk-faults-migrate-');
    const dbFile = path.join(dataDir, 'smsdesk.db');
    const e = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    makeList(
      e,
      'before',
      numbers(500).map((phone) => ({ phone, name: 'x' })),
    );
    e.settings.set('rate.requestsPerSecond', 3);
    await e.close();
    const before = tableDigests(dbFile);

    // A future migration (version LATEST+1) that takes long: it alters a table, then fills a new
    // one row by row inside the same transaction; the child says when it is deep inside.
    const script = `
      import Database from 'better-sqlite3';
      import fs from 'node:fs';
      const db = new Database(${JSON.stringify(dbFile)});
      db.pragma('journal_mode = WAL');
      db.pragma('cache_size = 50');
      const migrate = db.transaction(() => {
        db.exec('ALTER TABLE messages ADD COLUMN future TEXT; CREATE TABLE future_big (id INTEGER PRIMARY KEY, blob BLOB)');
        const ins = db.prepare('INSERT INTO future_big (blob) VALUES (randomblob(2000))');
        for (let i = 0; ; i++) {
          ins.run();
          if (i === 3000) fs.writeSync(1, 'deep inside\\n');
        }
      });
      migrate();
    `;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '',
      err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    await waitFor(
      () => out.includes('deep inside') || child.exitCode !== null,
      'the migration deep in its transaction',
      30_000,
    );
    expect(err).toBe('');
    // The uncommitted transaction has spilled pages into the WAL by now (cache of 50 pages).
    expect(fs.statSync(`${dbFile}-wal`).size).toBeGreaterThan(100_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    stats.crashes++;

    const db = openDatabase(dbFile);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'future_big'`).pluck().get()).toBe(0);
    expect(
      (db.prepare(`PRAGMA table_info(messages)`).all() as Array<{ name: string }>).map((c) => c.name),
    ).not.toContain('future');
    db.close();
    expect(tableDigests(dbFile)).toEqual(before);
    const again = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    expect(again.lists.list().map((l) => [l.name, l.contacts])).toEqual([['before', 500]]);
    expect(again.settings.get('rate.requestsPerSecond')).toBe(3);
    await again.close();
  }, 60_000);
});

describe('a database file copied mid-write', () => {
  it('copies taken during a send open and pass integrity_check; an engine on the last copy recovers without sending twice', async () => {
    const N = 4000;
    const t = await engineWithSandbox({
      sandbox: { faults: { pSlow: 1, slowMs: 40 }, timing: { dispatchMs: 30, finalMs: 80 } },
      settings: { 'rate.requestsPerSecond': 50, 'rate.recipientsPerRequest': 40, 'gateway.answerTimeoutMs': 3000 },
    });
    const { engine, sandbox } = t;
    makeList(
      engine,
      'copy',
      numbers(N).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'copy', from: 'ACME', text: 'copied mid-write' });
    engine.campaigns.send(c.id);
    engine.start();
    const src = path.join(t.dataDir, 'smsdesk.db');
    const copyTo = (dir: string) => {
      fs.mkdirSync(dir, { recursive: true });
      // In this order, as a backup tool walking the folder would: the main file, then the log.
      fs.copyFileSync(src, path.join(dir, 'smsdesk.db'));
      if (fs.existsSync(`${src}-wal`)) fs.copyFileSync(`${src}-wal`, path.join(dir, 'smsdesk.db-wal'));
    };
    const copies: string[] = [];
    for (let k = 1; k <= 5; k++) {
      await waitFor(() => sandbox.record().accepted.length >= k * 4, `${k * 4} batches`, 30_000);
      const dir = tempDir('smsdesk-faults-copy-');
      copyTo(dir);
      copies.push(dir);
    }
    // The last copy: one batch accepted by the gateway but not yet answered (it hangs), while the
    // poller keeps writing delivery reports of the earlier batches.
    sandbox.setFaults({ pAcceptThenHang: 1 });
    await waitFor(() => (sandbox.record().faultsInjected.pAcceptThenHang ?? 0) >= 1, 'a batch accepted and hanging');
    await waitFor(
      () => engine.campaigns.status(c.id).counts.submitting > 0,
      'the hanging batch submitting in the ledger',
    );
    const last = tempDir('smsdesk-faults-copy-');
    copyTo(last);
    copies.push(last);
    engine.campaigns.pause(c.id); // the original stops here, as if the machine died
    await engine.close();
    sandbox.setFaults({});

    for (const dir of copies) {
      const db = new Database(path.join(dir, 'smsdesk.db'));
      expect(db.pragma('integrity_check', { simple: true }), dir).toBe('ok');
      db.close();
    }
    const restored = await createEngine({
      dataDir: last,
      secrets: createMemorySecrets(TEST_TOKEN),
      gatewayUrl: sandbox.url,
      env: {},
    });
    try {
      const s0 = restored.campaigns.status(c.id);
      expect(s0.counts.submitting, 'submitting became uncertain at start-up').toBe(0);
      expect(s0.counts.uncertain).toBeGreaterThan(0);
      expect(s0.state).toBe('sending');
      restored.start();
      await restored.waitIdle(c.id);
      // Completed only once the report has settled the uncertain batch too.
      const s = await waitFor(
        () => {
          const x = restored.campaigns.status(c.id);
          return x.counts.uncertain === 0 && x.counts.queued === 0 && x.state === 'completed' ? x : null;
        },
        'the hanging batch resolved from its report',
        30_000,
      );
      expect(s.state).toBe('completed');
      expect(checkLedger(restored.db, { thorough: true })).toEqual([]);
      const all = numbers(N);
      const twice = all.filter((n) => sandbox.acceptedCount(n) > 1);
      const lost = all.filter((n) => sandbox.acceptedCount(n) === 0);
      expect(twice).toEqual([]);
      expect(lost).toEqual([]);
      stats.recipients += N;
      stats.lost += lost.length;
      stats.duplicated += twice.length;
    } finally {
      await restored.close();
      await sandbox.close();
    }
  }, 120_000);
});
