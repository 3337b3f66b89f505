import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { backupName, backupWhen, DAY_MS, listBackups } from '../../electron/engine/db/backup.ts';
import { migrations, LATEST_VERSION } from '../../electron/engine/db/migrations.ts';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { applyRestore, restoreOffer } from '../../electron/restore.ts';
import { copyInWorker } from '../../electron/engine/db/check.ts';
import { startEngineHost } from '../../electron/host/index.ts';
import { cli } from '../helpers/cli.ts';
import { draftInFolder, engineWithSandbox, makeList, numbers, tempDir, waitFor } from '../helpers/engine.ts';

const mode = (f: string) => fs.statSync(f).mode & 0o777;
const octal = (f: string) => `${path.basename(f)} ${mode(f).toString(8)}`;
const posix = process.platform !== 'win32';

function lists(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT name FROM lists WHERE state = 'ready' ORDER BY id`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

describe.skipIf(!posix)('data files are for the user only', () => {
  it('the folder, the ledger with its -wal/-shm, backups, exports and the log: 0700 / 0600, by stat', async () => {
    const t = await engineWithSandbox();
    try {
      const { engine, dataDir } = t;
      makeList(
        engine,
        'modes',
        numbers(20).map((phone) => ({ phone })),
      );
      const c = await engine.campaigns.create({ list: 'modes', from: 'ACME', text: 'modes' });
      engine.campaigns.send(c.id);
      engine.start();
      await engine.waitIdle(c.id);
      const backup = await waitFor(() => listBackups(dataDir)[0], 'the first backup');
      const exports = tempDir('smsdesk-export-');
      const csv = (await engine.campaigns.export(c.id, path.join(exports, 'r.csv'), 'csv')).file;
      const xlsx = (await engine.campaigns.export(c.id, path.join(exports, 'r.xlsx'), 'xlsx')).file;
      const db = path.join(dataDir, 'smsdesk.db');
      expect([dataDir, path.join(dataDir, 'backups')].map(octal)).toEqual([
        `${path.basename(dataDir)} 700`,
        'backups 700',
      ]);
      expect([db, `${db}-wal`, `${db}-shm`, backup.file, csv, xlsx].map(octal)).toEqual(
        [db, `${db}-wal`, `${db}-shm`, backup.file, csv, xlsx].map((f) => `${path.basename(f)} 600`),
      );
    } finally {
      await t.close();
    }
    // the command's log file (the backup at start writes its first line)
    const dir = tempDir();
    const id = await draftInFolder(dir, 3, 'log');
    const run = await cli(dir, ['send', String(id), '--wait']).done;
    expect(run.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'smsdesk.log'), 'utf8')).toMatch(/backup: /);
    const files = fs
      .readdirSync(dir)
      .map((n) => path.join(dir, n))
      .filter((f) => fs.statSync(f).isFile());
    expect(files.filter((f) => mode(f) & 0o077).map(octal)).toEqual([]);
  });

  it('a folder an older version left open (0755, files 0644) is closed at the next start, contents intact', async () => {
    const dataDir = tempDir();
    const first = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    makeList(
      first,
      'old',
      numbers(5).map((phone) => ({ phone })),
    );
    await first.close();
    fs.chmodSync(dataDir, 0o755);
    for (const n of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, n), 0o644);
    const next = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(
        fs
          .readdirSync(dataDir)
          .map((n) => path.join(dataDir, n))
          .filter((f) => mode(f) & 0o077)
          .map(octal),
      ).toEqual([]);
      expect(next.lists.list().map((l) => l.contacts)).toEqual([5]);
    } finally {
      await next.close();
    }
  });
});

describe('automatic backups', () => {
  it('one at start when the newest is a day old, one a day while running, the newest N kept', async () => {
    let now = Date.parse('2026-03-01T09:00:00Z');
    const clock = { now: () => now, mono: () => performance.now() };
    const t = await engineWithSandbox({ engine: { clock, backupCheckMs: 20 }, settings: { 'backup.keep': 3 } });
    const { engine, dataDir } = t;
    try {
      makeList(
        engine,
        'daily',
        numbers(10).map((phone) => ({ phone })),
      );
      engine.start();
      const first = await waitFor(() => listBackups(dataDir)[0], 'the backup at start');
      expect(first.name).toBe(`smsdesk-2026-03-01-090000-v${LATEST_VERSION}.db`);
      expect(lists(first.file)).toEqual(['daily']);
      now += 3600_000; // an hour later: not due
      makeList(
        engine,
        'later',
        numbers(10, 100).map((phone) => ({ phone })),
      );
      now += DAY_MS; // a day after the first: due
      const second = await waitFor(() => listBackups(dataDir).find((b) => b.at > first.at), "the next day's backup");
      expect(second.name).toBe(`smsdesk-2026-03-02-100000-v${LATEST_VERSION}.db`);
      expect(listBackups(dataDir)).toHaveLength(2);
      expect(lists(second.file)).toEqual(['daily', 'later']);
      for (let day = 1; day <= 3; day++) {
        now += DAY_MS;
        const at = now;
        await waitFor(() => listBackups(dataDir).some((b) => b.at === at), `backup of day ${day}`);
      }
      // keep = 3: the three newest, the oldest gone from the disk. The new copy is on disk before
      // the older ones are removed (db/backup.ts make: copy, then prune), so wait for the prune too.
      await waitFor(() => listBackups(dataDir).length <= 3, 'the older backups removed');
      expect(listBackups(dataDir).map((b) => b.name.slice(8, 18))).toEqual(['2026-03-05', '2026-03-04', '2026-03-03']);
      expect(fs.existsSync(first.file)).toBe(false);
    } finally {
      await t.close();
    }
    // the next start with yesterday's backup still fresh enough makes none
    const again = await createEngine({
      dataDir,
      secrets: createMemorySecrets(null),
      env: {},
      clock: { now: () => now + 3600_000, mono: () => performance.now() },
    });
    again.start();
    await again.close();
    expect(listBackups(dataDir)).toHaveLength(3);
  });

  it("afterStart() resolves once the check after start has passed and the day's backup is complete on disk", async () => {
    const t = await engineWithSandbox();
    try {
      makeList(
        t.engine,
        'before start',
        numbers(2000).map((phone) => ({ phone })),
      );
      expect(listBackups(t.dataDir)).toEqual([]);
      t.engine.start();
      await t.engine.afterStart();
      const [made] = listBackups(t.dataDir);
      expect(made?.kind).toBe('daily');
      // complete: no half-made copy beside it, and it opens with the list in it
      expect(fs.readdirSync(path.dirname(made.file)).filter((n) => n.includes('.partial'))).toEqual([]);
      expect(lists(made.file)).toEqual(['before start']);
    } finally {
      await t.close();
    }
  });

  it('the daily copy is made in a thread of its own while the owner keeps writing: complete, undamaged, the lists in it', async () => {
    const t = await engineWithSandbox();
    try {
      makeList(
        t.engine,
        'first',
        numbers(3000).map((phone) => ({ phone })),
      );
      const dest = path.join(t.dataDir, 'copy-test.db');
      const copying = copyInWorker(path.join(t.dataDir, 'smsdesk.db'), dest);
      // the owner writes on while the thread copies
      for (let i = 0; i < 5; i++)
        makeList(
          t.engine,
          `during ${i}`,
          numbers(500, 10_000 * (i + 1)).map((phone) => ({ phone })),
        );
      const made = await copying;
      expect(made).toEqual({ file: dest, bytes: fs.statSync(dest).size });
      const copy = new Database(dest, { readonly: true });
      try {
        expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
        expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      } finally {
        copy.close();
      }
      expect(lists(dest)).toContain('first');
      // no half-made file is left beside it
      expect(fs.readdirSync(t.dataDir).filter((n) => n.includes('.partial'))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('a file that needs a migration is copied first, named with its old schema version', () => {
    const dir = tempDir();
    const file = path.join(dir, 'smsdesk.db');
    const old = new Database(file);
    for (const m of migrations.slice(0, 2))
      old.transaction(() => {
        m.up(old);
        old.pragma(`user_version = ${m.version}`);
      })();
    old.prepare(`INSERT INTO settings VALUES ('price.currency', '"EUR"')`).run();
    old.close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    db.close();
    const [copy, ...more] = listBackups(dir);
    expect(more).toEqual([]);
    expect(copy!.name).toMatch(/^smsdesk-\d{4}-\d{2}-\d{2}-\d{6}-v2-before-migration\.db$/);
    const c = new Database(copy!.file, { readonly: true });
    expect(c.pragma('user_version', { simple: true })).toBe(2);
    expect(c.prepare(`SELECT value FROM settings WHERE key = 'price.currency'`).pluck().get()).toBe('"EUR"');
    c.close();
    if (posix) expect(mode(copy!.file)).toBe(0o600);
    openDatabase(file).close();
    expect(listBackups(dir)).toHaveLength(1);
  });
});

describe('smsdesk backup --out FILE', () => {
  it('copies the ledger while the app owns the folder, refuses to overwrite without --force, says where and how big', async () => {
    const dataDir = tempDir();
    const app = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    try {
      makeList(
        app,
        'one',
        numbers(50).map((phone) => ({ phone })),
      );
      const out = path.join(tempDir('smsdesk-out-'), 'copy.db');
      const r1 = await cli(dataDir, ['backup', '--out', out], {}, { json: false }).done;
      expect(r1.err).toBe('');
      expect(r1.code).toBe(0);
      expect(r1.out).toMatch(new RegExp(`written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ KB\\)`));
      expect(lists(out)).toEqual(['one']);
      makeList(
        app,
        'two',
        numbers(5, 500).map((phone) => ({ phone })),
      );
      const r2 = await cli(dataDir, ['backup', '--out', out], {}, { json: false }).done;
      expect(r2.code).toBe(1);
      expect(r2.err).toMatch(/already exists; choose another file, or add --force/);
      expect(lists(out)).toEqual(['one']);
      const r3 = await cli(dataDir, ['backup', '--out', out, '--force']).done;
      expect(r3.code).toBe(0);
      expect(JSON.parse(r3.out).backup).toMatchObject({ file: out, bytes: fs.statSync(out).size });
      expect(lists(out)).toEqual(['one', 'two']);
      if (posix) expect(mode(out)).toBe(0o600);
    } finally {
      await app.close();
    }
  });

  it('refuses to copy a damaged ledger (the copy would pass for a good one) and writes nothing', async () => {
    const dataDir = tempDir();
    const app = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    makeList(
      app,
      'x',
      numbers(200).map((phone) => ({ phone })),
    );
    await app.close();
    const db = path.join(dataDir, 'smsdesk.db');
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096 * 3, 0xa5), 0, 4096 * 3, 4096 * 2);
    fs.closeSync(fd);
    const outDir = tempDir('smsdesk-out-');
    const r = await cli(dataDir, ['backup', '--out', path.join(outDir, 'copy.db')], {}, { json: false }).done;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/The data file .*smsdesk\.db is damaged: parts of it are unreadable .*there is no backup in/);
    expect(fs.readdirSync(outDir)).toEqual([]);
  });
});

describe('smsdesk restore', () => {
  it('lists the backups; refuses while another process owns the folder; refuses a damaged backup; keeps the replaced file', async () => {
    const dataDir = tempDir();
    const db = path.join(dataDir, 'smsdesk.db');
    const none = await cli(dataDir, ['restore'], {}, { json: false }).done;
    expect(none.out).toMatch(/There are no backups in .*backups yet/);

    const app = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    makeList(
      app,
      'kept',
      numbers(5).map((phone) => ({ phone })),
    );
    app.start();
    const backup = await waitFor(() => listBackups(dataDir)[0], 'the backup at start');
    makeList(
      app,
      'after',
      numbers(5, 50).map((phone) => ({ phone })),
    );
    const listed = await cli(dataDir, ['restore'], {}, { json: false }).done;
    expect(listed.out).toContain(`${backupWhen(backup.at)}  schema ${LATEST_VERSION}`);
    expect(listed.out).toContain(backup.name);
    const busy = await cli(dataDir, ['restore', '--latest'], {}, { json: false }).done;
    expect(busy.code).toBe(1);
    expect(busy.err).toMatch(/cannot be restored while another process uses the data folder: .*process \d+/);
    await app.close();
    expect(lists(db)).toEqual(['kept', 'after']);

    // a damaged backup: refused, nothing moved
    const bad = path.join(dataDir, 'backups', backupName(backup.at + 60_000, LATEST_VERSION, 'daily'));
    fs.copyFileSync(backup.file, bad);
    const fd = fs.openSync(bad, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096);
    fs.closeSync(fd);
    const before = fs.readFileSync(db);
    const refused = await cli(dataDir, ['restore', '--latest'], {}, { json: false }).done;
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      new RegExp(
        `The backup .*${path.basename(bad)} cannot be restored: .*nothing was changed\\. Try the one from ${backupWhen(backup.at)}`,
      ),
    );
    expect(fs.readFileSync(db).equals(before)).toBe(true);

    const ok = await cli(dataDir, ['restore', '--from', backup.file], {}, { json: false }).done;
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/The replaced data file is kept as .*smsdesk\.db\.replaced-/);
    expect(lists(db)).toEqual(['kept']);
    const aside = fs.readdirSync(dataDir).find((n) => /^smsdesk\.db\.replaced-[\d-]+$/.test(n))!;
    expect(lists(path.join(dataDir, aside))).toEqual(['kept', 'after']);
  });
});

describe('the app at start: a damaged ledger', () => {
  it('offers "Restore backup from <date>", and starts on the restored ledger', async () => {
    const dataDir = tempDir();
    const first = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    makeList(
      first,
      'app',
      numbers(5).map((phone) => ({ phone })),
    );
    first.start();
    const backup = await waitFor(() => listBackups(dataDir)[0], 'the backup at start');
    await first.close();
    fs.writeFileSync(path.join(dataDir, 'smsdesk.db'), 'not a database at all');
    // through the engine's worker thread, as the app starts it: only the code and the sentence cross
    const err = await startEngineHost({ dataDir, env: {}, secrets: { kind: 'memory', token: null } }).then(
      async (e) => {
        await e.close();
        return null;
      },
      (e: Error) => e,
    );
    expect(err).toMatchObject({ code: 'DB_CORRUPT' });
    const offer = restoreOffer(err, dataDir);
    expect(offer?.buttons).toEqual([`Restore backup from ${backupWhen(backup.at)}`, 'Quit']);
    expect(offer?.message).toMatch(/is damaged.*Restore the newest backup/);
    expect(offer?.detail).toMatch(/keeps the damaged file beside it/);
    expect(restoreOffer(Object.assign(new Error('disk full'), { code: 'STORAGE' }), dataDir)).toBeNull();
    const done = await applyRestore(offer!, dataDir);
    expect(done.keptAs[0]).toMatch(/smsdesk\.db\.broken-/);
    const again = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    try {
      expect(again.lists.list().map((l) => l.name)).toEqual(['app']);
    } finally {
      await again.close();
    }
  });
});
