/**
 * What the open still checks now that every page is read after start (db/check.ts): a file cut
 * short and a damaged schema are refused at once with the sentence naming the backup; a page in the
 * middle is left to the check after start, which marks the ledger so the next open reads every page
 * and refuses it too. A good file put back in place of a marked one opens and loses the mark.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { damageMark, markDamaged } from '../../electron/engine/db/corrupt.ts';
import { copyInWorker, startLedgerCheck } from '../../electron/engine/db/check.ts';
import { tempDir } from '../helpers/engine.ts';

/** A real ledger of `rows` rows of 1000 bytes (1000: ~300 pages), closed (its WAL folded in). */
function ledger(rows = 1000): string {
  const file = path.join(tempDir('smsdesk-open-'), 'smsdesk.db');
  const db = openDatabase(file);
  db.exec(`CREATE TABLE filler (x BLOB)`);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) INSERT INTO filler SELECT randomblob(1000) FROM n`,
  ).run();
  db.close();
  return file;
}

/** The nice value of each thread of this process, by thread id (Linux: /proc/self/task/TID/stat). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      // after "(name) ", the fields from the state (3rd) on: nice is the 19th
      const after = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ').pop()!.split(' ');
      out.set(Number(tid), Number(after[16]));
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

/** Runs `work` and reads the threads' nice values at every turn of the event loop until it settles. */
async function nicesDuring<T>(work: () => Promise<T>): Promise<{ result: T; seen: Set<number>; main: Set<number> }> {
  const seen = new Set<number>();
  const main = new Set<number>();
  let done = false;
  const sampling = (async () => {
    while (!done) {
      for (const [tid, nice] of threadNices()) (tid === process.pid ? main : seen).add(nice);
      await new Promise((r) => setImmediate(r));
    }
  })();
  const result = await work().finally(() => (done = true));
  await sampling;
  return { result, seen, main };
}

function overwrite(file: string, page: number) {
  const size = 4096;
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(size, 0x5a), 0, size, (page - 1) * size);
  fs.closeSync(fd);
}

function refusal(f: () => unknown): (Error & { code?: string }) | null {
  try {
    (f() as Database.Database | undefined)?.close();
    return null;
  } catch (e) {
    return e as Error & { code?: string };
  }
}

describe('the open of the ledger', () => {
  it('refuses a file cut short at once, naming what happened, and leaves it as it is', () => {
    const file = ledger();
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    const before = fs.readFileSync(file);
    const err = refusal(() => openDatabase(file));
    expect(err?.code).toBe('DB_CORRUPT');
    expect(err?.message).toMatch(/is damaged: it is shorter than its own header says .*there is no backup in/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a file whose schema is overwritten (the header still reads)', () => {
    const file = ledger();
    const fd = fs.openSync(file, 'r+');
    // page 1 past its 100-byte header: the root of the schema
    fs.writeSync(fd, Buffer.alloc(3996, 0x5a), 0, 3996, 100);
    fs.closeSync(fd);
    const err = refusal(() => openDatabase(file));
    expect(err?.code).toBe('DB_CORRUPT');
    expect(err?.message).toMatch(/is damaged: parts of it are unreadable/);
  });

  it('leaves a page in the middle to the check after start; once it found it, the next open refuses', async () => {
    const file = ledger();
    const probe = new Database(file, { readonly: true });
    const leaves = probe
      .prepare<[], number>(`SELECT pageno FROM dbstat WHERE name = 'filler' AND pagetype = 'leaf' ORDER BY pageno`)
      .pluck()
      .all();
    probe.close();
    overwrite(file, leaves[Math.floor(leaves.length / 2)]!);

    // the open reads the header and the schema only
    openDatabase(file).close();
    const lines: string[] = [];
    const found = await startLedgerCheck(file, (l) => lines.push(l));
    expect(found?.code).toBe('DB_CORRUPT');
    expect(found?.message).toMatch(
      /is damaged: parts of it are unreadable \(SQLite: ".+"\), and there is no backup in/,
    );
    expect(lines).toEqual([expect.stringMatching(/^page check: \d+ problem\(s\) in .*smsdesk\.db, first: /)]);
    expect(fs.existsSync(damageMark(file))).toBe(true);

    expect(refusal(() => openDatabase(file))?.code).toBe('DB_CORRUPT');
    // a reader (a second process beside the owner) still opens it, to show what it can
    expect(refusal(() => openDatabase(file, { readonly: true }))).toBeNull();
  });

  it('a marked ledger that passes the full check (a good copy put in its place) opens and loses the mark', async () => {
    const file = ledger();
    expect(await startLedgerCheck(file, () => {})).toBeNull();
    expect(fs.existsSync(damageMark(file))).toBe(false);
    markDamaged(file, 'found before');
    openDatabase(file).close();
    expect(fs.existsSync(damageMark(file))).toBe(false);
  });

  // The check reads every page and the daily copy writes a whole file, each in its own thread, beside
  // a send that must keep its rate: on Linux those threads give way to the engine's (nice 10).
  it.runIf(process.platform === 'linux')(
    'the check after start and the daily copy run below normal priority, the engine thread at its own',
    async () => {
      // ~40 MB: long enough to be seen at work from this thread
      const file = ledger(40_000);
      const before = threadNices().get(process.pid);

      const checked = await nicesDuring(() => startLedgerCheck(file, () => {}));
      expect(checked.result).toBeNull();
      expect(checked.seen).toContain(10);
      const dest = path.join(path.dirname(file), 'copy.db');
      const copied = await nicesDuring(() => copyInWorker(file, dest));
      expect(copied.result).toEqual({ file: dest, bytes: fs.statSync(dest).size });
      expect(copied.seen).toContain(10);
      // only those threads: the engine's own thread (the window's calls, the send loop) is untouched
      expect([...checked.main, ...copied.main]).toEqual([before, before]);
      expect(threadNices().get(process.pid)).toBe(before);
    },
  );
});
