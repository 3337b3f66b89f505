/**
 * The WAL checkpoints of a long-running owner are made in a thread of their own (db/check.ts
 * startCheckpoints): the owner's commits no longer stop to copy pages into the file. Real files, a
 * real worker thread, SQLite's own WAL: the file on disk is what shows who copied the pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/open.ts';
import {
  BACKSTOP_AUTOCHECKPOINT,
  BUSY_LOOK_MS,
  BUSY_WAL_BYTES,
  DEFAULT_AUTOCHECKPOINT,
  startCheckpoints,
} from '../../electron/engine/db/check.ts';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { makeList, numbers, tempDir, waitFor } from '../helpers/engine.ts';

const MB = 1024 * 1024;

/**
 * Long enough for the engine's look at its WAL size to have come three times. A thread that must
 * not start can only be seen not starting by waiting: there is no condition to wait for.
 */
const watcherLooks = () => new Promise((r) => setTimeout(r, 3 * BUSY_LOOK_MS));

function ledger() {
  const file = path.join(tempDir('smsdesk-ckpt-'), 'smsdesk.db');
  const db = openDatabase(file);
  db.exec(`CREATE TABLE filler (x BLOB)`);
  return { file, db };
}

/** About `pages` pages of rows in one commit. */
function write(db: ReturnType<typeof openDatabase>, pages: number) {
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO filler SELECT randomblob(3000) FROM n`,
  ).run(pages);
}

const threshold = (db: ReturnType<typeof openDatabase>) => db.pragma('wal_autocheckpoint', { simple: true });

describe('checkpoints beside the owner', () => {
  it("copies committed pages into the file while the owner's commits copy none", async () => {
    const { file, db } = ledger();
    const lines: string[] = [];
    const cp = startCheckpoints(db, file, (l) => lines.push(l), { busyMs: 5, idleMs: 20 });
    expect(threshold(db)).toBe(BACKSTOP_AUTOCHECKPOINT);
    const before = fs.statSync(file).size;
    // ~800 pages: under even SQLite's own threshold, so no commit of the owner copies them
    write(db, 800);
    await waitFor(() => fs.statSync(file).size >= before + 2 * MB, 'the pages copied into the file by the thread');
    await cp.stop();
    expect(threshold(db)).toBe(DEFAULT_AUTOCHECKPOINT);
    expect(lines).toEqual([]);
    db.close();
  });

  it('with no thread, the owner checkpoints as before, and the log says why', () => {
    const { file, db } = ledger();
    const lines: string[] = [];
    const cp = startCheckpoints(db, file, (l) => lines.push(l), { workerFile: null });
    expect(lines).toEqual([
      "checkpoints: no thread of their own (its script is not beside the engine); the engine's thread makes them",
    ]);
    expect(threshold(db)).toBe(DEFAULT_AUTOCHECKPOINT);
    const before = fs.statSync(file).size;
    write(db, 1200);
    // the commit that took the WAL past 1,000 pages copied them itself
    expect(fs.statSync(file).size).toBeGreaterThan(before + 3 * MB);
    void cp.stop();
    db.close();
  });

  it("a thread that stops on an error gives the checkpoints back to the owner's commits", async () => {
    const { file, db } = ledger();
    const script = path.join(tempDir('smsdesk-ckpt-script-'), 'broken.mjs');
    fs.writeFileSync(script, `throw new Error('disk gone');\n`);
    const lines: string[] = [];
    startCheckpoints(db, file, (l) => lines.push(l), { workerFile: script });
    await waitFor(() => threshold(db) === DEFAULT_AUTOCHECKPOINT || null, 'the owner checkpointing again');
    expect(lines).toEqual(["checkpoints: the thread stopped (disk gone); the engine's thread makes them again"]);
    db.close();
  });

  it('the app (a long owner) hands them to the thread once its WAL passes 1 MB; a short command never; closing leaves no WAL', async () => {
    const dataDir = tempDir();
    const open = (long: boolean) =>
      createEngine({
        dataDir,
        secrets: createMemorySecrets(null),
        env: {},
        owner: { what: long ? 'SMS Desk' : 'smsdesk lists', long },
      });
    // ~2 MB of WAL: a list of 20,000 contacts
    const bulk = (e: Awaited<ReturnType<typeof open>>, name: string) =>
      makeList(
        e,
        name,
        numbers(20_000).map((phone, i) => ({ phone, first_name: `Customer number ${i}` })),
      );
    const short = await open(false);
    bulk(short, 'short');
    await watcherLooks();
    expect(threshold(short.db)).toBe(DEFAULT_AUTOCHECKPOINT);
    await short.close();

    const app = await open(true);
    app.templates.save({ name: 'Checkpoint test', sender: 'ACME', text: 'Hello' });
    await watcherLooks();
    // a few pages: no thread yet, SQLite's own checkpoints
    expect(threshold(app.db)).toBe(DEFAULT_AUTOCHECKPOINT);
    bulk(app, 'app');
    expect(fs.statSync(path.join(dataDir, 'smsdesk.db-wal')).size).toBeGreaterThan(BUSY_WAL_BYTES);
    await waitFor(() => threshold(app.db) === BACKSTOP_AUTOCHECKPOINT || null, 'the thread taking the checkpoints');
    await app.close();
    expect(fs.existsSync(path.join(dataDir, 'smsdesk.db-wal'))).toBe(false);
    const again = await open(false);
    expect(again.templates.list().map((t) => t.name)).toEqual(['Checkpoint test']);
    expect(
      again.lists
        .list()
        .map((l) => l.name)
        .sort(),
    ).toEqual(['app', 'short']);
    await again.close();
  });
});
