import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, DatabaseTooNewError } from '../../electron/engine/db/open.ts';
import { migrations, LATEST_VERSION } from '../../electron/engine/db/migrations.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-mig-'));

describe('migrations', () => {
  it('are numbered 1, 2, 3 … with no gaps (append-only)', () => {
    migrations.forEach((m, i) => expect(m.version).toBe(i + 1));
    expect(LATEST_VERSION).toBe(migrations.length);
  });

  it('build the schema from an empty file, in WAL mode, and reopen without change', () => {
    const file = path.join(tmp(), 'smsdesk.db');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['batches', 'campaigns', 'contacts', 'lists', 'messages', 'optouts', 'settings']));
    db.prepare(`INSERT INTO settings VALUES ('x', '1')`).run();
    db.close();
    const again = openDatabase(file);
    expect(again.prepare(`SELECT value FROM settings WHERE key = 'x'`).get()).toEqual({ value: '1' });
    again.close();
  });

  it('each migration applies on top of the one before it', () => {
    const db = new Database(':memory:');
    for (const m of migrations) {
      db.transaction(() => { m.up(db); db.pragma(`user_version = ${m.version}`); })();
      expect(db.pragma('user_version', { simple: true })).toBe(m.version);
    }
    db.close();
  });

  it('refuses a database written by a newer version, with a message saying what to do, and leaves it untouched', () => {
    const file = path.join(tmp(), 'smsdesk.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_VERSION + 5}`);
    raw.exec(`CREATE TABLE future (x)`);
    raw.close();
    const before = fs.readFileSync(file);
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(/newer version of SMS Desk.*Install the newer SMS Desk/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});

describe('migration 2: status counters', () => {
  it('keep per-campaign counts equal to a full count through updates and deletes', () => {
    const db = openDatabase(path.join(tmp(), 'smsdesk.db'));
    db.prepare(`INSERT INTO campaigns (id, name, sender, template, state, created_at) VALUES (1, 'c', 'A', 't', 'draft', 0), (2, 'd', 'A', 't', 'draft', 0)`).run();
    const ins = db.prepare(`INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, updated_at) VALUES (?, ?, ?, 'x', 'GSM-7', 1, 'queued', 0)`);
    for (let i = 1; i <= 50; i++) ins.run(i % 2 ? 1 : 2, i, String(2348030000000 + i));
    // Inserts are counted by their writer (campaign create), not by a trigger.
    db.prepare(`INSERT INTO campaign_counts SELECT campaign_id, status, COUNT(*) FROM messages GROUP BY 1, 2`).run();
    db.prepare(`UPDATE messages SET status = 'accepted' WHERE seq <= 20`).run();
    db.prepare(`UPDATE messages SET status = 'delivered' WHERE seq <= 7`).run();
    db.prepare(`UPDATE messages SET status = status WHERE seq <= 30`).run(); // no change: no count change
    db.prepare(`DELETE FROM messages WHERE seq > 45`).run();
    const truth = db.prepare(`SELECT campaign_id, status, COUNT(*) AS n FROM messages GROUP BY campaign_id, status ORDER BY 1, 2`).all();
    const kept = db.prepare(`SELECT campaign_id, status, n FROM campaign_counts WHERE n != 0 ORDER BY 1, 2`).all();
    expect(kept).toEqual(truth);
    db.close();
  });

  it('backfills counts for messages written before it', () => {
    const file = path.join(tmp(), 'smsdesk.db');
    const raw = new Database(file);
    migrations[0].up(raw);
    raw.pragma('user_version = 1');
    raw.prepare(`INSERT INTO campaigns (id, name, sender, template, state, created_at) VALUES (1, 'c', 'A', 't', 'draft', 0)`).run();
    raw.prepare(`INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, updated_at) VALUES (1, 1, '1', 'x', 'GSM-7', 1, 'queued', 0), (1, 2, '2', 'x', 'GSM-7', 1, 'failed', 0)`).run();
    raw.close();
    const db = openDatabase(file);
    expect(db.prepare(`SELECT status, n FROM campaign_counts ORDER BY status`).all()).toEqual([{ status: 'failed', n: 1 }, { status: 'queued', n: 1 }]);
    db.close();
  });
});
