import type { Database } from 'better-sqlite3';

/**
 * Append-only. Never edit a migration that has shipped: add a new one.
 * `version` must be the previous one plus one; tests/engine/migrations.test.ts guards this.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial ledger',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL            -- JSON
        );

        -- A list is visible only when state = 'ready'. Imports write in chunks while
        -- state = 'importing'; a crash or cancel leaves such a list, which start-up deletes.
        CREATE TABLE lists (
          id         INTEGER PRIMARY KEY,
          name       TEXT NOT NULL,
          state      TEXT NOT NULL CHECK (state IN ('importing', 'ready')),
          fields     TEXT NOT NULL DEFAULT '[]',   -- JSON array of merge-field names, in column order
          contacts   INTEGER NOT NULL DEFAULT 0,
          source     TEXT,                         -- file name it came from
          report     TEXT,                         -- JSON import report (counts, rejected rows kept apart)
          created_at INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX lists_ready_name ON lists(name) WHERE state = 'ready';

        CREATE TABLE contacts (
          id       INTEGER PRIMARY KEY,
          list_id  INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
          seq      INTEGER NOT NULL,               -- order in the file (first valid row = 1)
          row      INTEGER NOT NULL,               -- row number in the source file, for reports
          msisdn   TEXT NOT NULL,                  -- digits only, country code first
          network  TEXT,
          fields   TEXT NOT NULL DEFAULT '{}'      -- JSON object: header -> original cell text
        );
        CREATE UNIQUE INDEX contacts_list_seq ON contacts(list_id, seq);
        CREATE UNIQUE INDEX contacts_list_msisdn ON contacts(list_id, msisdn);

        -- Rows an import rejected (invalid or duplicate), kept so the user can export and fix them.
        CREATE TABLE import_rejects (
          id       INTEGER PRIMARY KEY,
          list_id  INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
          row      INTEGER NOT NULL,
          kind     TEXT NOT NULL CHECK (kind IN ('invalid', 'duplicate', 'suppressed')),
          value    TEXT,
          reason   TEXT NOT NULL,
          fields   TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX import_rejects_list ON import_rejects(list_id, row);

        CREATE TABLE optouts (
          msisdn   TEXT PRIMARY KEY,
          added_at INTEGER NOT NULL,
          source   TEXT
        ) WITHOUT ROWID;

        CREATE TABLE campaigns (
          id            INTEGER PRIMARY KEY,
          name          TEXT NOT NULL,
          list_id       INTEGER REFERENCES lists(id) ON DELETE SET NULL,
          parent_id     INTEGER REFERENCES campaigns(id),
          sender        TEXT NOT NULL,
          template      TEXT NOT NULL,
          state         TEXT NOT NULL,             -- draft | scheduled | sending | paused | cancelled | completed
          schedule_mode TEXT,                      -- null | 'local' | 'gateway'
          send_at       INTEGER,                   -- epoch ms
          recipients    INTEGER NOT NULL DEFAULT 0,
          parts         INTEGER NOT NULL DEFAULT 0,
          suppressed    INTEGER NOT NULL DEFAULT 0,
          pause_reason  TEXT,
          pause_code    TEXT,                      -- null | 'user' | 'auth' | 'request' | 'mode' | 'storage'
          mode          TEXT,                      -- 'sandbox' | 'live': fixed when sending starts, never switched silently
          retry_at      INTEGER,                   -- epoch ms: do not send before (back-off)
          retry_count   INTEGER NOT NULL DEFAULT 0,
          created_at    INTEGER NOT NULL,
          started_at    INTEGER,
          finished_at   INTEGER
        );

        CREATE TABLE batches (
          id            INTEGER PRIMARY KEY,
          campaign_id   INTEGER NOT NULL REFERENCES campaigns(id),
          client_ref    TEXT NOT NULL UNIQUE,
          gateway_ref   TEXT,
          state         TEXT NOT NULL,             -- submitting | accepted | uncertain | failed | returned | resent | resolved
          recipients    INTEGER NOT NULL,
          parts         INTEGER NOT NULL,
          text          TEXT NOT NULL,
          created_at    INTEGER NOT NULL,
          sent_at       INTEGER,                   -- epoch ms the request left (rate limiter seed after restart)
          answered_at   INTEGER,
          http_status   INTEGER,
          error         TEXT,
          processed     INTEGER,                   -- recipients_processed from the gateway
          next_poll_at  INTEGER,                   -- delivery-report poller
          poll_interval INTEGER,
          polls         INTEGER NOT NULL DEFAULT 0,
          dlr_done      INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX batches_campaign_state ON batches(campaign_id, state);
        CREATE INDEX batches_poll ON batches(dlr_done, next_poll_at) WHERE state IN ('accepted', 'uncertain');
        CREATE INDEX batches_sent_at ON batches(sent_at);

        CREATE TABLE messages (
          id          INTEGER PRIMARY KEY,
          campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
          seq         INTEGER NOT NULL,
          contact_id  INTEGER,
          msisdn      TEXT NOT NULL,
          network     TEXT,
          fields      TEXT NOT NULL DEFAULT '{}',
          text        TEXT NOT NULL,
          encoding    TEXT NOT NULL,               -- 'GSM-7' | 'UCS-2'
          parts       INTEGER NOT NULL,
          status      TEXT NOT NULL,               -- product vocabulary (gateway-9bits.md) + cancelled
          batch_id    INTEGER REFERENCES batches(id),
          raw_status  TEXT,
          raw_code    INTEGER,
          reason      TEXT,
          submitted_at INTEGER,
          accepted_at INTEGER,
          final_at    INTEGER,
          updated_at  INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX messages_campaign_seq ON messages(campaign_id, seq);
        CREATE INDEX messages_campaign_status_seq ON messages(campaign_id, status, seq);
        CREATE INDEX messages_batch ON messages(batch_id);
        CREATE INDEX messages_batch_msisdn ON messages(batch_id, msisdn);

      `);
    },
  },
  {
    version: 2,
    name: 'status counters and chart buckets per campaign',
    // Counting a million-message campaign by GROUP BY takes ~100 ms, too long for a live
    // dashboard; triggers keep the counts in the same transaction as every status change.
    up(db) {
      db.exec(`
        CREATE TABLE campaign_counts (
          campaign_id INTEGER NOT NULL,
          status      TEXT NOT NULL,
          n           INTEGER NOT NULL,
          PRIMARY KEY (campaign_id, status)
        ) WITHOUT ROWID;
        INSERT INTO campaign_counts (campaign_id, status, n)
          SELECT campaign_id, status, COUNT(*) FROM messages GROUP BY campaign_id, status;
        -- No insert trigger: it tripled the cost of freezing a big campaign. The two places that
        -- insert messages (campaign create, re-send to failed) add their counts in the same transaction.
        -- Transitions into each status per 10-second bucket: the delivery chart without a scan.
        CREATE TABLE status_buckets (
          campaign_id INTEGER NOT NULL,
          at          INTEGER NOT NULL,
          status      TEXT NOT NULL,
          n           INTEGER NOT NULL,
          PRIMARY KEY (campaign_id, at, status)
        ) WITHOUT ROWID;
        INSERT INTO status_buckets (campaign_id, at, status, n)
          SELECT campaign_id, updated_at / 10000 * 10000, status, COUNT(*) FROM messages
          WHERE status NOT IN ('queued', 'submitting') GROUP BY 1, 2, 3;
        CREATE TRIGGER messages_count_update AFTER UPDATE OF status ON messages WHEN old.status IS NOT new.status BEGIN
          UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND status = old.status;
          INSERT INTO campaign_counts (campaign_id, status, n) VALUES (new.campaign_id, new.status, 1)
            ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + 1;
          INSERT INTO status_buckets (campaign_id, at, status, n) VALUES (new.campaign_id, new.updated_at / 10000 * 10000, new.status, 1)
            ON CONFLICT (campaign_id, at, status) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
          UPDATE campaign_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND status = old.status;
        END;
        CREATE INDEX batches_campaign_sent ON batches(campaign_id, sent_at);
        -- messages_batch_msisdn (batch_id, msisdn) serves every lookup by batch: one index less per insert.
        DROP INDEX messages_batch;
        -- Start-up looks for requests cut off mid-flight; without this it walks every batch.
        CREATE INDEX batches_submitting ON batches(state) WHERE state = 'submitting';
      `);
    },
  },
  {
    version: 3,
    name: 'contacts without the unique number index',
    // Imports now find duplicates in memory; the index made every insert land on a random page
    // (850,000 rows: 20.2 s with it, 1.9 s without). Nothing else looks contacts up by number.
    up(db) {
      db.exec(`DROP INDEX contacts_list_msisdn;`);
    },
  },
  {
    version: 4,
    name: 'status counters kept per statement, not per row',
    // The trigger fired three statements for every message row that changed status: twice per
    // message while sending, once per delivery report. Every writer now moves the counters and
    // buckets itself, once per statement, in the same transaction (electron/engine/queue/counts.ts).
    // The delete trigger stays: deletes are rare.
    up(db) {
      db.exec(`DROP TRIGGER messages_count_update;`);
    },
  },
  {
    version: 5,
    name: 'report lookups of uncertain batches, re-sends under the first reference',
    // The evidence a user needs before re-sending: every lookup made for a batch whose outcome
    // was unknown, and what the gateway answered. Only uncertain batches write here (a few rows each).
    up(db) {
      db.exec(`
        CREATE TABLE batch_lookups (
          batch_id INTEGER NOT NULL REFERENCES batches(id),
          at       INTEGER NOT NULL,
          answer   TEXT NOT NULL,     -- 'found' | 'not-found' | 'not-found-early' | 'error'
          detail   TEXT
        );
        CREATE INDEX batch_lookups_batch ON batch_lookups(batch_id, at);
        -- A re-sent batch goes again under its first reference_id, so a gateway that honours
        -- the reference answers a repeat of a batch it did take with the first result instead
        -- of sending twice. NULL for every message sent the first time (no table rewrite).
        ALTER TABLE messages ADD COLUMN resend_ref TEXT;
      `);
    },
  },
  {
    version: 6,
    name: 'saved message templates',
    // Names are unique as people read them ("Promo" and "promo " are one name): the service trims,
    // and the index compares without case.
    up(db) {
      db.exec(`
        CREATE TABLE templates (
          id         INTEGER PRIMARY KEY,
          name       TEXT NOT NULL,
          sender     TEXT NOT NULL DEFAULT '',
          text       TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX templates_name ON templates(name COLLATE NOCASE);
      `);
    },
  },
  {
    version: 7,
    name: 'the batch index holds only messages handed to a batch',
    // Every queued message sat in messages_batch_msisdn under batch_id NULL, sorted by number. A
    // list is not sorted by number, so each claim deleted its 100 entries from 100 scattered pages
    // of that NULL run (and each frozen campaign inserted them the same way): the send loop's
    // ledger cost 22 us a recipient on shuffled numbers against 10 on sorted ones. Every lookup is
    // by a batch (batch_id = ?, m.batch_id = b.id), which a partial index on IS NOT NULL still
    // serves; nothing looks messages up by batch_id IS NULL through it.
    up(db) {
      db.exec(`
        DROP INDEX messages_batch_msisdn;
        CREATE INDEX messages_batch_msisdn ON messages(batch_id, msisdn) WHERE batch_id IS NOT NULL;
      `);
    },
  },
  {
    version: 8,
    name: "a campaign's status without walking its requests",
    // status() (every dashboard refresh) counted the short requests by walking every request of the
    // campaign, and the rate by walking the last five minutes of them. A personalised text makes one
    // request per recipient: 120,000 requests made a status() of 33 ms, growing with the send. Short
    // requests are rare: their own partial index. The rate needs the last ten seconds of answers:
    // an index on the answer's time (one entry per answered request). batches_campaign_sent served
    // only the old rate query: one entry less per request (batches_campaign_state still leads with
    // the campaign for anything else that looks a campaign's requests up).
    up(db) {
      db.exec(`
        CREATE INDEX batches_short ON batches(campaign_id) WHERE processed < recipients;
        CREATE INDEX batches_campaign_answered ON batches(campaign_id, answered_at) WHERE answered_at IS NOT NULL;
        DROP INDEX batches_campaign_sent;
      `);
    },
  },
  {
    version: 9,
    name: 'no message row written while it is sent',
    // Each message row was written twice while it was sent (submitting at the claim, accepted at
    // the answer): a wide row rewritten and its status index entry moved, most of the send loop's
    // cost (docs/batch-ledger.md). A claim now appends one member row per message instead, and the
    // message row stays queued until its batch's first report, a failure or an unknown outcome
    // writes it (queue/status.ts says what a reader shows meanwhile). The next batch is found
    // above an exact per-campaign cursor: below it every queued message is in a batch, except the
    // few released back to the queue (a returned batch, a re-send, a restored opt-out), which
    // `released` lists. Nothing existing is rewritten: rows already submitting or accepted keep
    // their meaning. The cursor starts exact: at the highest seq ever handed to a batch, with the
    // queued messages below it (a returned batch, a restored opt-out) released, so a batch re-sent
    // later, handed out before the upgrade, is released like any other.
    up(db) {
      db.exec(`
        CREATE TABLE batch_members (
          message_id INTEGER PRIMARY KEY,
          batch_id   INTEGER NOT NULL
        );
        CREATE TABLE released (
          campaign_id INTEGER NOT NULL,
          seq         INTEGER NOT NULL,
          message_id  INTEGER NOT NULL,
          PRIMARY KEY (campaign_id, seq)
        ) WITHOUT ROWID;
        ALTER TABLE campaigns ADD COLUMN claimed_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE batches ADD COLUMN first_message_id INTEGER;
        ALTER TABLE batches ADD COLUMN last_message_id INTEGER;
        UPDATE campaigns SET claimed_seq = COALESCE((SELECT MAX(seq) FROM messages m
          WHERE m.campaign_id = campaigns.id AND m.batch_id IS NOT NULL), 0);
        INSERT INTO released (campaign_id, seq, message_id)
          SELECT m.campaign_id, m.seq, m.id FROM campaigns c CROSS JOIN messages m
          ON m.campaign_id = c.id AND m.status = 'queued' AND m.seq <= c.claimed_seq;
      `);
    },
  },
];

export const LATEST_VERSION = migrations[migrations.length - 1].version;
