import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, migrate, DatabaseTooNewError } from '../../electron/engine/db/open.ts';
import { migrations, LATEST_VERSION } from '../../electron/engine/db/migrations.ts';
import { createLedger } from '../../electron/engine/queue/ledger.ts';
import { MEMBER_JOIN, STATUS_SQL } from '../../electron/engine/queue/status.ts';
import { checkLedger } from '../../electron/engine/queue/invariants.ts';

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
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(['batches', 'campaigns', 'contacts', 'lists', 'messages', 'optouts', 'settings']),
    );
    db.prepare(`INSERT INTO settings VALUES ('x', '1')`).run();
    db.close();
    const again = openDatabase(file);
    expect(again.prepare(`SELECT value FROM settings WHERE key = 'x'`).get()).toEqual({ value: '1' });
    again.close();
  });

  it('each migration applies on top of the one before it', () => {
    const db = new Database(':memory:');
    for (const m of migrations) {
      db.transaction(() => {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      })();
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

// the statuses readers see: a message a batch holds is not written until it leaves the happy path
const truth = (db: Database.Database) =>
  db
    .prepare(
      `SELECT m.campaign_id, ${STATUS_SQL} AS status, COUNT(*) AS n FROM messages m ${MEMBER_JOIN} GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all();

/** A file brought to `version` exactly, as an older SMS Desk left it. */
function fileAt(version: number): { file: string; db: Database.Database } {
  const file = path.join(tmp(), 'smsdesk.db');
  const db = new Database(file);
  migrate(
    db,
    file,
    migrations.filter((m) => m.version <= version),
  );
  return { file, db };
}

describe('migration 2: status counters', () => {
  it('keep per-campaign counts equal to a full count through updates and deletes (files before migration 4)', () => {
    const { db } = fileAt(3);
    db.prepare(
      `INSERT INTO campaigns (id, name, sender, template, state, created_at) VALUES (1, 'c', 'A', 't', 'draft', 0), (2, 'd', 'A', 't', 'draft', 0)`,
    ).run();
    const ins = db.prepare(
      `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, updated_at) VALUES (?, ?, ?, 'x', 'GSM-7', 1, 'queued', 0)`,
    );
    for (let i = 1; i <= 50; i++) ins.run(i % 2 ? 1 : 2, i, String(2348030000000 + i));
    // Inserts are counted by their writer (campaign create), not by a trigger.
    db.prepare(`INSERT INTO campaign_counts SELECT campaign_id, status, COUNT(*) FROM messages GROUP BY 1, 2`).run();
    db.prepare(`UPDATE messages SET status = 'accepted' WHERE seq <= 20`).run();
    db.prepare(`UPDATE messages SET status = 'delivered' WHERE seq <= 7`).run();
    db.prepare(`UPDATE messages SET status = status WHERE seq <= 30`).run(); // no change: no count change
    db.prepare(`DELETE FROM messages WHERE seq > 45`).run();
    const truth = db
      .prepare(`SELECT campaign_id, status, COUNT(*) AS n FROM messages GROUP BY campaign_id, status ORDER BY 1, 2`)
      .all();
    const kept = db.prepare(`SELECT campaign_id, status, n FROM campaign_counts WHERE n != 0 ORDER BY 1, 2`).all();
    expect(kept).toEqual(truth);
    db.close();
  });

  it('backfills counts for messages written before it', () => {
    const file = path.join(tmp(), 'smsdesk.db');
    const raw = new Database(file);
    migrations[0].up(raw);
    raw.pragma('user_version = 1');
    raw
      .prepare(
        `INSERT INTO campaigns (id, name, sender, template, state, created_at) VALUES (1, 'c', 'A', 't', 'draft', 0)`,
      )
      .run();
    raw
      .prepare(
        `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, updated_at) VALUES (1, 1, '1', 'x', 'GSM-7', 1, 'queued', 0), (1, 2, '2', 'x', 'GSM-7', 1, 'failed', 0)`,
      )
      .run();
    raw.close();
    const db = openDatabase(file);
    expect(db.prepare(`SELECT status, n FROM campaign_counts ORDER BY status`).all()).toEqual([
      { status: 'failed', n: 1 },
      { status: 'queued', n: 1 },
    ]);
    db.close();
  });
});

describe('migration 4: counters kept per statement', () => {
  const kept = (db: Database.Database) =>
    db.prepare(`SELECT campaign_id, status, n FROM campaign_counts WHERE n != 0 ORDER BY 1, 2`).all();

  it('keeps the counts of a file migrated mid-send, and the ledger keeps them right through every outcome of a request', () => {
    const { file, db: raw } = fileAt(3);
    raw
      .prepare(
        `INSERT INTO campaigns (id, name, sender, template, state, created_at) VALUES (1, 'c', 'A', 't', 'sending', 0), (2, 'd', 'A', 't', 'sending', 0)`,
      )
      .run();
    const ins = raw.prepare(
      `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, updated_at) VALUES (?, ?, ?, 'x', 'GSM-7', 1, 'queued', 0)`,
    );
    for (let i = 1; i <= 60; i++) ins.run(i % 2 ? 1 : 2, i, String(2348030000000 + i));
    raw.prepare(`INSERT INTO campaign_counts SELECT campaign_id, status, COUNT(*) FROM messages GROUP BY 1, 2`).run();
    raw.prepare(`UPDATE messages SET status = 'delivered' WHERE seq <= 6`).run(); // counted by the old trigger
    const before = kept(raw);
    raw.close();

    const db = openDatabase(file);
    expect(
      db
        .prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name = 'messages_count_update'`)
        .get(),
    ).toEqual({ n: 0 });
    expect(kept(db)).toEqual(before);
    expect(kept(db)).toEqual(truth(db));

    const ledger = createLedger(db);
    const t = 1_700_000_003_000;
    const send = () => ledger.claimManyWithAnswers(1, ledger.nextBatches(1, 5, 0, 1), t, [])[0]!;
    ledger.markAccepted(send().id, 'g1', 5, 200, t, t + 1000, 1000);
    ledger.markReturned(send().id, 'busy', 503, t);
    ledger.markFailed(send().id, 'refused', 400, t);
    const u = send();
    ledger.markUncertain(u.id, 'timeout', null, t, t + 1000, 1000);
    ledger.markAccepted(u.id, 'g2', 5, 200, t + 5000, t + 6000, 1000); // the late answer settles the uncertain ones
    const u2 = send();
    ledger.markUncertain(u2.id, 'timeout', null, t, t + 1000, 1000);
    ledger.markReturned(u2.id, 'busy', 503, t + 7000);
    send(); // left submitting, as a crash would
    ledger.recoverInterrupted(t + 20_000, t + 21_000, 1000);
    expect(kept(db)).toEqual(truth(db));
    expect(
      db.prepare(`SELECT status, n FROM campaign_counts WHERE campaign_id = 1 AND n != 0 ORDER BY status`).all(),
    ).toEqual([
      { status: 'accepted', n: 10 },
      { status: 'delivered', n: 3 },
      { status: 'failed', n: 5 },
      { status: 'queued', n: 7 },
      { status: 'uncertain', n: 5 },
    ]);
    // The chart still sees each transition once, in the 10-second bucket of its time; leaving a
    // handed status (uncertain) for another (accepted) or for a re-send (queued) also takes the
    // recipients out of the one left, so the chart's handed line counts them once.
    expect(
      db.prepare(`SELECT at, status, n FROM status_buckets WHERE campaign_id = 1 AND at > 0 ORDER BY at, status`).all(),
    ).toEqual([
      { at: 1_700_000_000_000, status: 'accepted', n: 10 },
      { at: 1_700_000_000_000, status: 'failed', n: 5 },
      { at: 1_700_000_000_000, status: 'queued', n: 5 },
      { at: 1_700_000_000_000, status: 'submitting', n: 30 },
      { at: 1_700_000_000_000, status: 'uncertain', n: 5 },
      { at: 1_700_000_010_000, status: 'queued', n: 5 },
      { at: 1_700_000_010_000, status: 'uncertain', n: -5 },
      { at: 1_700_000_020_000, status: 'uncertain', n: 5 },
    ]);
    db.close();
  });
});

describe('migration 5: report lookups and re-sends under the first reference', () => {
  it('adds the lookup record and the re-send reference to a file with campaigns in it, keeping its messages', () => {
    const { file, db: raw } = fileAt(4);
    raw
      .prepare(
        `INSERT INTO campaigns (id, name, sender, template, state, created_at) VALUES (1, 'c', 'A', 't', 'sending', 0)`,
      )
      .run();
    raw
      .prepare(
        `INSERT INTO batches (id, campaign_id, client_ref, state, recipients, parts, text, created_at, http_status, polls) VALUES (1, 1, 'ref1', 'uncertain', 1, 1, 'x', 0, 500, 1)`,
      )
      .run();
    raw
      .prepare(
        `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, batch_id, updated_at) VALUES (1, 1, '2348030000001', 'x', 'GSM-7', 1, 'uncertain', 1, 0)`,
      )
      .run();
    raw.close();
    const db = openDatabase(file);
    expect(db.prepare(`SELECT msisdn, status, resend_ref FROM messages`).all()).toEqual([
      { msisdn: '2348030000001', status: 'uncertain', resend_ref: null },
    ]);
    db.prepare(`INSERT INTO batch_lookups (batch_id, at, answer, detail) VALUES (1, 5, 'not-found', NULL)`).run();
    expect(db.prepare(`SELECT batch_id, answer FROM batch_lookups`).all()).toEqual([
      { batch_id: 1, answer: 'not-found' },
    ]);
    db.close();
  });
});

describe('migration 6: saved message templates', () => {
  it('creates the templates table on an existing file; names are unique without regard to case', () => {
    const { file, db: raw } = fileAt(5);
    raw.prepare(`INSERT INTO settings VALUES ('sender.last', '"ACME"')`).run();
    raw.close();
    const db = openDatabase(file);
    expect(db.prepare(`SELECT value FROM settings WHERE key = 'sender.last'`).get()).toEqual({ value: '"ACME"' });
    db.prepare(
      `INSERT INTO templates (name, sender, text, created_at, updated_at) VALUES ('Promo', 'ACME', 'Hi', 1, 1)`,
    ).run();
    expect(() =>
      db
        .prepare(`INSERT INTO templates (name, sender, text, created_at, updated_at) VALUES ('promo', '', 'Yo', 2, 2)`)
        .run(),
    ).toThrow(/UNIQUE/);
    db.close();
  });
});

describe('migration 9: no message row written while it is sent', () => {
  it('upgrades a file stopped mid-send: its requests in flight and accepted keep their rows, and nothing is sent twice or skipped', () => {
    const { file, db: raw } = fileAt(8);
    raw
      .prepare(
        `INSERT INTO campaigns (id, name, sender, template, state, mode, created_at) VALUES (1, 'c', 'A', 't', 'sending', 'sandbox', 0)`,
      )
      .run();
    const ins = raw.prepare(
      `INSERT INTO messages (campaign_id, seq, msisdn, text, encoding, parts, status, batch_id, updated_at) VALUES (1, ?, ?, 'x', 'GSM-7', 1, ?, ?, 0)`,
    );
    // seqs 1-3 accepted in request 1, 4-6 in flight in request 2 (the app stopped), 7-8 given back
    // by request 3 (a 503), 9-10 accepted in request 4, 11-14 never handed out
    raw
      .prepare(
        `INSERT INTO batches (id, campaign_id, client_ref, state, recipients, parts, text, created_at, sent_at, answered_at, gateway_ref)
       VALUES (1, 1, 'r1', 'accepted', 3, 3, 'x', 0, 0, 1, 'g1'), (2, 1, 'r2', 'submitting', 3, 3, 'x', 0, 0, NULL, NULL),
              (3, 1, 'r3', 'returned', 2, 2, 'x', 0, 0, 1, NULL), (4, 1, 'r4', 'accepted', 2, 2, 'x', 0, 0, 1, 'g4')`,
      )
      .run();
    const at = (i: number): [string, number | null] =>
      i <= 3
        ? ['accepted', 1]
        : i <= 6
          ? ['submitting', 2]
          : i <= 8
            ? ['queued', null]
            : i <= 10
              ? ['accepted', 4]
              : ['queued', null];
    for (let i = 1; i <= 14; i++) ins.run(i, String(2348030000000 + i), ...at(i));
    raw.prepare(`INSERT INTO campaign_counts SELECT campaign_id, status, COUNT(*) FROM messages GROUP BY 1, 2`).run();
    raw.close();

    const db = openDatabase(file);
    // the cursor starts at the last seq handed out, the given-back ones below it released
    expect(db.prepare(`SELECT claimed_seq FROM campaigns WHERE id = 1`).pluck().get()).toBe(10);
    expect(db.prepare(`SELECT seq FROM released ORDER BY seq`).pluck().all()).toEqual([7, 8]);
    expect(checkLedger(db, { thorough: true })).toEqual([]);
    const ledger = createLedger(db);
    expect(ledger.recoverInterrupted(100, 200, 1000)).toBe(1);
    const sent: number[][] = [];
    for (let next = ledger.nextBatches(1, 100, 0, 1); next.length; next = ledger.nextBatches(1, 100, 0, 1)) {
      const [b] = ledger.claimManyWithAnswers(1, next, 300, []);
      sent.push(next[0].map((m) => m.seq));
      ledger.markAccepted(b!.id, `g${b!.id}`, b!.to.length, 200, 400, 500, 1000);
    }
    // the given-back ones first (the front of the queue), then the rest; request 2 is never sent again
    expect(sent).toEqual([
      [7, 8],
      [11, 12, 13, 14],
    ]);
    expect(
      db.prepare(`SELECT status, n FROM campaign_counts WHERE campaign_id = 1 AND n != 0 ORDER BY status`).all(),
    ).toEqual([
      { status: 'accepted', n: 11 },
      { status: 'uncertain', n: 3 },
    ]);
    expect(truth(db)).toEqual([
      { campaign_id: 1, status: 'accepted', n: 11 },
      { campaign_id: 1, status: 'uncertain', n: 3 },
    ]);
    expect(checkLedger(db, { thorough: true })).toEqual([]);
    db.close();
  });
});
