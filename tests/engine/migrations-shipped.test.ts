import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../electron/engine/db/open.ts';
import { migrations, LATEST_VERSION, type Migration } from '../../electron/engine/db/migrations.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-mig-shipped-'));

/**
 * Migrations that have shipped, with the SHA-256 of their source block in
 * electron/engine/db/migrations.ts (from `  {` + `    version: N,` to its closing `  },`).
 * A shipped migration already ran on users' files: editing it changes nothing for them and makes
 * new files differ from old ones, so any edit fails here. When a release ships migration N, add
 * its line: run this test, copy the hash it prints for N ("not listed yet") into the table.
 */
const SHIPPED: Record<number, string> = {
  1: 'bea0a868043871b832c0fd8accaac23d38d21e00c81fdddc6f516a9c92320d72',
  2: '5d44f45855c32816c4c62d42f338d9db9df9b146ed6af08e290cb79663cda5ba',
  3: 'f231eb6e3172613fb5909b260511023ea1dd3da4501c4eefe98f06de7fff848f',
  4: 'c2f0b14ed560536726ccb60e296181b422b3a849fe3ea81a5feed6102b60d5d3',
  5: '0ed7839629277ebd92ce3fcb633e722742c095eaa335a0b5f6168f33623ff651',
  6: '2b474ff346e9182745cdd0c97a703671557a22860d582aecee71d424d5d6b0c2',
};

/** each migration's source text by version, straight from the file (not from the transpiled function) */
function migrationBlocks(): Map<number, string> {
  const src = fs
    .readFileSync(new URL('../../electron/engine/db/migrations.ts', import.meta.url), 'utf8')
    .replace(/\r\n/g, '\n');
  const out = new Map<number, string>();
  const re = /^ {2}\{\n {4}version: (\d+),[\s\S]*?^ {2}\},?$/gm;
  for (const m of src.matchAll(re)) out.set(Number(m[1]), m[0]);
  return out;
}
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('shipped migrations', () => {
  it('are byte for byte what shipped (append a new migration instead of editing one)', () => {
    const blocks = migrationBlocks();
    expect([...blocks.keys()], 'every migration is found in the source').toEqual(migrations.map((m) => m.version));
    const unlisted = [...blocks].filter(([v]) => !(v in SHIPPED)).map(([v, text]) => `${v}: '${sha(text)}'`);
    if (unlisted.length)
      console.info(`migrations not listed yet as shipped (add when released): ${unlisted.join(', ')}`);
    for (const [v, hash] of Object.entries(SHIPPED)) {
      const block = blocks.get(Number(v));
      expect(block, `shipped migration ${v} is still there`).toBeDefined();
      expect(sha(block!), `migration ${v} has shipped: do not edit it, add a new migration`).toBe(hash);
    }
  });
});

describe('migration 3: contacts without the unique number index', () => {
  it('drops the index on a version-2 file and keeps every contact, so a list may now hold a number twice until the import dedupes', () => {
    const file = path.join(tmp(), 'smsdesk.db');
    const db = new Database(file);
    migrate(
      db,
      file,
      migrations.filter((m) => m.version <= 2),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.prepare(
      `INSERT INTO lists (id, name, fields, contacts, created_at, state) VALUES (1, 'Old', '[]', 2, 0, 'ready')`,
    ).run();
    const add = db.prepare(`INSERT INTO contacts (list_id, seq, row, msisdn, fields) VALUES (1, ?, ?, ?, '{}')`);
    add.run(1, 2, '2348031234567');
    add.run(2, 3, '2348031234568');
    const indexes = () =>
      db
        .prepare<[], { name: string }>(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'`)
        .all()
        .map((r) => r.name);
    expect(indexes()).toContain('contacts_list_msisdn');
    // at version 2 the index refuses the same number twice in a list
    expect(() => add.run(3, 4, '2348031234567')).toThrow(/UNIQUE/);

    migrate(
      db,
      file,
      migrations.filter((m) => m.version <= 3),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(indexes()).not.toContain('contacts_list_msisdn');
    expect(db.prepare(`SELECT COUNT(*) AS n FROM contacts WHERE list_id = 1`).get()).toEqual({ n: 2 });
    add.run(3, 4, '2348031234567');
    db.close();
    // and the file goes on to the latest version like any other
    const latest = openDatabase(file);
    expect(latest.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(latest.prepare(`SELECT COUNT(*) AS n FROM contacts`).get()).toEqual({ n: 3 });
    latest.close();
  });
});

describe('migration 7: the batch index holds only messages handed to a batch', () => {
  it('on a version-6 file, a report still finds its recipient by batch and number, and queued messages leave the index', () => {
    const file = path.join(tmp(), 'smsdesk.db');
    const db = new Database(file);
    migrate(
      db,
      file,
      migrations.filter((m) => m.version <= 6),
    );
    db.prepare(
      `INSERT INTO campaigns (id, name, sender, template, state, mode, recipients, parts, created_at) VALUES (1, 'Old', 'ACME', 'Hi', 'sending', 'live', 4, 4, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO batches (id, campaign_id, client_ref, state, recipients, parts, text, created_at) VALUES (9, 1, 'r9', 'accepted', 2, 2, 'Hi', 0)`,
    ).run();
    const add = db.prepare(
      `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, batch_id, updated_at) VALUES (1, ?, ?, 'Hi', 'GSM-7', 1, ?, ?, 0)`,
    );
    add.run(1, '2348031234567', 'accepted', 9);
    add.run(2, '2348031234568', 'accepted', 9);
    add.run(3, '2348031234569', 'queued', null);
    add.run(4, '2348031234570', 'queued', null);
    const indexSql = () =>
      db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'messages_batch_msisdn'`).pluck().get() as string;
    expect(indexSql()).not.toMatch(/WHERE/);

    migrate(db, file, migrations);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(indexSql()).toMatch(/WHERE batch_id IS NOT NULL$/);
    const lookup = `SELECT seq FROM messages WHERE batch_id = ? AND msisdn = ?`;
    expect(db.prepare(lookup).pluck().get(9, '2348031234568')).toBe(2);
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${lookup}`)
      .all(9, '2348031234568')
      .map((r) => (r as { detail: string }).detail);
    expect(plan.join(' | ')).toMatch(/USING (COVERING )?INDEX messages_batch_msisdn \(batch_id=\? AND msisdn=\?\)/);
    // every message is still there, with its status
    expect(db.prepare(`SELECT status, COUNT(*) AS n FROM messages GROUP BY status ORDER BY status`).all()).toEqual([
      { status: 'accepted', n: 2 },
      { status: 'queued', n: 2 },
    ]);
    db.close();
  });
});

describe('migrate()', () => {
  it('a crash in the middle of a migration leaves the file at the previous version, still openable', () => {
    const file = path.join(tmp(), 'smsdesk.db');
    const db = new Database(file);
    migrate(
      db,
      file,
      migrations.filter((m) => m.version <= 1),
    );
    const broken: Migration = {
      version: 2,
      name: 'boom',
      up(d) {
        d.exec('CREATE TABLE half (x)');
        d.exec('DROP TABLE settings');
        throw new Error('power cut');
      },
    };
    expect(() => migrate(db, file, [...migrations.filter((m) => m.version <= 1), broken])).toThrow('power cut');
    // nothing of the broken migration stays: not its new table, not its drop, not its version
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name IN ('half', 'settings') ORDER BY name`).all()).toEqual(
      [{ name: 'settings' }],
    );
    db.close();
    const ok = openDatabase(file);
    expect(ok.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    ok.close();
  });
});
