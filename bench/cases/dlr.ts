import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { createSettingsStore } from '../../electron/engine/db/settings.ts';
import { createPoller } from '../../electron/engine/dlr/poller.ts';
import { systemClock } from '../../electron/engine/clock.ts';
import { classifyBatchReport } from '../../electron/engine/gateway/reports.ts';
import type { GatewayClient } from '../../electron/engine/gateway/client.ts';
import { createStatusModel, DEFAULT_PROPORTIONS } from '../../electron/engine/sandbox/reports.ts';
import { ms, tempDir, BENCH_TOKEN } from '../lib/engine.ts';
import { MESSAGES_SEEN } from '../../electron/engine/queue/status.ts';

interface BatchRow {
  id: number;
  gateway_ref: string;
  client_ref: string;
}

function copyDb(src: string): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, 'smsdesk.db');
  fs.copyFileSync(src, file);
  return { dir, file };
}

/** The sandbox's own full reports (final statuses) for every open batch, as JSON bodies. */
function reportsFor(db: Database.Database): Map<string, string> {
  const model = createStatusModel(7, { dispatchMs: 0, finalMs: 0 }, DEFAULT_PROPORTIONS);
  const batches = db
    .prepare<[], BatchRow>(`SELECT id, gateway_ref, client_ref FROM batches WHERE dlr_done = 0 AND state = 'accepted'`)
    .all();
  // the batch's numbers, written or not (queue/status.ts)
  const to = db
    .prepare<[number, number], string>(
      `SELECT m.msisdn FROM batches b JOIN messages m ON m.batch_id = b.id WHERE b.id = ?
      UNION ALL SELECT m.msisdn FROM batches b JOIN batch_members bm ON bm.message_id BETWEEN b.first_message_id AND b.last_message_id AND bm.batch_id = b.id
        JOIN messages m ON m.id = bm.message_id WHERE b.id = ?`,
    )
    .pluck();
  const out = new Map<string, string>();
  const later = Date.now() + 86_400_000;
  for (const b of batches) {
    const report = model.batchReport(
      {
        ref: b.gateway_ref,
        clientRef: b.client_ref,
        from: 'ACME',
        to: to.all(b.id, b.id),
        text: '',
        at: 0,
        sendAt: null,
        processed: 0,
      },
      later,
      true,
    );
    out.set(b.gateway_ref, JSON.stringify(report));
  }
  return out;
}

/**
 * The engine's delivery-report path: the real poller (pollCampaign -> pollList -> applyReport ->
 * finish) over every open batch, with the gateway answers already in memory, so the figure
 * is the applying, not the network.
 */
export async function dlrEngine(a: { db: string; campaignId: number }) {
  const { dir, file } = copyDb(a.db);
  const db = openDatabase(file);
  const bodies = reportsFor(db);
  const client: GatewayClient = {
    send: () => {
      throw new Error('not in this benchmark');
    },
    fetchRecipientReport: async () => ({ kind: 'not-found' }),
    checkToken: async () => ({ ok: true, message: '' }),
    fetchBatchReport: async (ref) =>
      classifyBatchReport(
        { kind: 'answer', status: 200, statusText: 'OK', headers: {}, body: bodies.get(ref) ?? '', incomplete: false },
        // a token that never occurs in a report: the client masks the token wherever it appears
        { host: 'bench', token: BENCH_TOKEN, now: Date.now() },
        ref,
      ),
  };
  const poller = createPoller({
    db,
    settings: createSettingsStore(db),
    clock: systemClock,
    clientFor: () => client,
    mode: () => 'live',
    changed: () => {},
    log: () => {},
  });
  const t0 = process.hrtime.bigint();
  const open = await poller.pollCampaign(a.campaignId);
  const wallMs = ms(t0);
  const final = db
    .prepare(`SELECT COUNT(*) FROM messages WHERE campaign_id = ? AND final_at IS NOT NULL`)
    .pluck()
    .get(a.campaignId) as number;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { wallMs, final, openBatches: open };
}

/**
 * Baseline: the same row changes as a raw batched UPDATE by primary key, 10,000 rows per
 * transaction. A row the engine has not written yet (migration 9) also gets its batch and times,
 * as the engine writes them with its first report.
 */
export async function dlrBaseline(a: { db: string; campaignId: number }) {
  const { dir, file } = copyDb(a.db);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const rows = db
    .prepare<[number], { id: number; batch_id: number; submitted_at: number | null; accepted_at: number | null }>(
      `SELECT id, batch_id, submitted_at, accepted_at FROM ${MESSAGES_SEEN} AS m WHERE campaign_id = ? AND status = 'accepted' ORDER BY id`,
    )
    .all(a.campaignId);
  const ids = rows.map((r) => r.id);
  const STAT = [
    ['delivered', 'Delivered', 0],
    ['failed', 'Failed', 402],
    ['rejected', 'Rejected', 408],
    ['expired', 'Expired', 406],
  ] as const;
  const upd = db.prepare(
    'UPDATE messages SET status = ?, raw_status = ?, raw_code = ?, final_at = ?, updated_at = ?, batch_id = ?, submitted_at = ?, accepted_at = ? WHERE id = ?',
  );
  const chunk = db.transaction((from: number, now: number) => {
    for (let i = from; i < Math.min(ids.length, from + 10_000); i++) {
      const s = STAT[i % 20 < 18 ? 0 : i % 4];
      const r = rows[i];
      upd.run(s[0], s[1], s[2], now, now, r.batch_id, r.submitted_at, r.accepted_at, r.id);
    }
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ids.length; i += 10_000) chunk(i, Date.now());
  const wallMs = ms(t0);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { wallMs, final: ids.length };
}
