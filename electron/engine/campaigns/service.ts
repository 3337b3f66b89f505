import type { DB } from '../db/open.ts';
import type { SettingsStore } from '../db/settings.ts';
import type {
  CampaignCreate,
  CampaignPreview,
  CampaignStatus,
  CampaignSummary,
  CreateControl,
  HeldByAnswers,
  MessageRow,
  MessageStatus,
  NetworkBreakdown,
  NetworkCounts,
  PreviewInput,
  UncertainBatch,
  UncertainCause,
  UncertainPage,
} from '../api.ts';
import { UserError } from '../errors.ts';
import { createCounts } from '../queue/counts.ts';
import { createRelease } from '../queue/release.ts';
import { MEMBER_JOIN, MESSAGE_COLUMNS, STATUS_SQL, statusIs } from '../queue/status.ts';
import { createLifecycle } from './lifecycle.ts';
import { canCancel, canPause, canStart, reopensOnResend, type PauseCode } from '../../../shared/lifecycle.ts';
import { checkSenderId, compileTemplate, estimateCost, withoutAccents } from '../../../shared/sms/index.ts';
import { countryOfMsisdn, partPrice } from '../../../shared/sms/destination.ts';
import { blankMessage, makeRenderer } from './datacheck.ts';
import { checkSendAt } from '../../../shared/schedule.ts';
import { localDateTime, zoneLabel } from '../../../shared/localTime.ts';
import { toSummary, emptyCounts, type CampaignRow } from './rows.ts';
import { findList as findListRecord } from '../lists/queries.ts';
import { networkGroup, NETWORK_GROUPS, type NetworkGroup } from '../../../shared/phone/networks.ts';
import { CHART_POINTS, OUTCOME_OF, statusesOf, toHandOver } from '../../../shared/outcome.ts';
import { TO_HAND_OVER_STATUSES, sqlList, type GatewayMode } from '../../../shared/vocabulary.ts';
import { batchedInsert } from '../db/rows.ts';
import { STEP_ROWS } from '../db/steps.ts';
import { fillPreparing } from './preparing.ts';
import { cancelQueuedYielding } from './cancel.ts';
import { MAX_IN_FLIGHT } from '../../../shared/settings.ts';

/** What "Re-send to failed only" sends again: the statuses of the failed outcome (shared/outcome.ts). */
const RESEND_STATUSES = statusesOf('failed');

/** Contacts per transaction of a campaign's freeze: ~25 ms of the engine's thread each. */
export const FREEZE_SLICE = STEP_ROWS;

interface ListRow {
  id: number;
  name: string;
  fields: string;
  contacts: number;
}

// A campaign still 'preparing' (create() has not finished its slices) is nobody's to see.
const SELECT_CAMPAIGN = `SELECT c.*, l.name AS list_name FROM campaigns c LEFT JOIN lists l ON l.id = c.list_id WHERE c.state != 'preparing'`;

export interface CampaignDeps {
  db: DB;
  settings: SettingsStore;
  now: () => number;
  /** 'sandbox' | 'live' as the engine runs right now */
  mode: () => GatewayMode;
  changed: (campaignId: number) => void;
}

export function createCampaignService(deps: CampaignDeps) {
  const { db, now } = deps;
  const counts = createCounts(db);
  const lifecycle = createLifecycle(db);

  const getRow = db.prepare<[number], CampaignRow>(`${SELECT_CAMPAIGN} AND c.id = ?`);
  const countsStmt = db.prepare<[number], { status: MessageStatus; n: number }>(
    'SELECT status, n FROM campaign_counts WHERE campaign_id = ?',
  );

  /** Inserted messages are counted here (migration 2 keeps only update/delete triggers). */
  function addCounts(campaignId: number, status: MessageStatus, n: number) {
    db.prepare(
      `INSERT INTO campaign_counts (campaign_id, status, n) VALUES (?, ?, ?)
      ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + excluded.n`,
    ).run(campaignId, status, n);
  }

  function row(id: number): CampaignRow {
    const r = getRow.get(id);
    if (!r)
      throw new UserError(
        'NOT_FOUND',
        `There is no campaign ${id}. List campaigns with \`smsdesk campaign list\` or the History page.`,
      );
    return r;
  }

  /** the one rule of lists/queries.ts: a number is an id; a text is a name first, then (digits only) an id */
  function findList(ref: string | number): ListRow {
    const l = findListRecord(db, ref);
    if (!l)
      throw new UserError(
        'LIST_NOT_FOUND',
        `There is no list called ${JSON.stringify(String(ref))}. Import one first (smsdesk import FILE --list NAME).`,
      );
    return l;
  }

  function compile(list: ListRow, text: string) {
    if (!text || !text.trim()) throw new UserError('EMPTY_TEXT', 'The message is empty. Write the text to send.');
    const fields = JSON.parse(list.fields) as string[];
    const compiled = compileTemplate(text, fields);
    if (!compiled.ok) throw new UserError(compiled.unknown.length ? 'UNKNOWN_FIELD' : 'BAD_TEMPLATE', compiled.message);
    return compiled;
  }

  /**
   * Freezes one message per recipient, in list order, skipping the opt-out list, FREEZE_SLICE
   * contacts per transaction with the event loop turning between them: a campaign already sending
   * goes on, and the window's calls are answered (850,000 recipients took the engine's thread for
   * 4.5 s in one transaction). Until its last slice the campaign is 'preparing', which nothing
   * lists, opens or sends. A refusal or a close half-way removes what was written; what a crash
   * leaves, start-up removes (cleanupInterruptedFreezes).
   */
  async function create(input: CampaignCreate, ctl: CreateControl = {}): Promise<CampaignSummary> {
    const list = findList(input.list);
    const sender = checkSenderId(input.from);
    if (!sender.ok) throw new UserError('BAD_SENDER', sender.message);
    compile(list, input.text); // refuses an unknown field or a broken brace with its sentence
    const schedule = input.sendAt ? (input.schedule ?? 'local') : null;
    const t = now();
    // Past times are refused for both schedules: a local one would go out at once, and the
    // gateway's behaviour with a past send_at is not in its contract.
    if (input.sendAt != null) {
      // in the user's zone, named: the page (and the person reading this) works in local time
      const when = checkSendAt(input.sendAt, t, (ms) => `${localDateTime(ms)} (${zoneLabel(ms)})`);
      if (!when.ok) throw new UserError('BAD_SCHEDULE', when.message);
    }
    // the user's clock, as the page's "created 08:42" beside it (the engine runs on their machine),
    // written as the Review page's name field suggests it
    const name = input.name?.trim() || `${list.name}, ${localDateTime(t)}`;

    const insertCampaign =
      db.prepare(`INSERT INTO campaigns (name, list_id, sender, template, state, schedule_mode, send_at, created_at)
      VALUES (?, ?, ?, ?, 'preparing', ?, ?, ?)`);
    // 20 rows per INSERT (db/rows.ts), not a call into SQLite per row
    const messageRows = batchedInsert(db, 'messages', [
      'campaign_id',
      'seq',
      'contact_id',
      'msisdn',
      'network',
      'fields',
      'text',
      'encoding',
      'parts',
      'status',
      'updated_at',
    ]);
    // Read in pages (keyset on seq): one connection cannot iterate and insert at once.
    const contacts = db.prepare<
      [number, number],
      {
        id: number;
        seq: number;
        row: number;
        msisdn: string;
        network: string | null;
        fields: string;
        opted: number | null;
      }
    >(
      `SELECT c.id, c.seq, c.row, c.msisdn, c.network, c.fields, (o.msisdn IS NOT NULL) AS opted
       FROM contacts c LEFT JOIN optouts o ON o.msisdn = c.msisdn WHERE c.list_id = ? AND c.seq > ? ORDER BY c.seq LIMIT ${FREEZE_SLICE}`,
    );

    const r = makeRenderer(input.text, JSON.parse(list.fields) as string[], input.accents ?? 'keep');
    const cid = Number(
      insertCampaign.run(name, list.id, input.from.trim(), input.text, schedule, input.sendAt ?? null, t)
        .lastInsertRowid,
    );
    let seq = 0,
      parts = 0,
      suppressed = 0,
      skipped = 0,
      read = 0,
      after = 0;
    const blank = new Map<string, { field: string; count: number; rows: number[] }>();
    // One slice: the next contacts, their messages and their count, or nothing (it throws).
    const slice = db.transaction((): number => {
      const page = contacts.all(list.id, after);
      const first = seq;
      for (const c of page) {
        if (c.opted) {
          suppressed++;
          continue;
        }
        const m = r.render(JSON.parse(c.fields));
        if (m.blank.length) {
          for (const f of m.blank) {
            const b = blank.get(f.header) ?? { field: `{${f.name}}`, count: 0, rows: [] };
            b.count++;
            if (b.rows.length < 5) b.rows.push(c.row);
            blank.set(f.header, b);
          }
          if (input.blank === 'skip') {
            skipped++;
            continue;
          }
          if (input.blank !== 'send') continue;
        }
        if (m.parts === 0)
          throw new UserError(
            'EMPTY_TEXT',
            `The message for row ${c.row} (${c.msisdn}) is empty after merging fields; give the field a default, e.g. {first_name|Customer}.`,
          );
        messageRows.add(cid, ++seq, c.id, c.msisdn, c.network, c.fields, m.text, m.encoding, m.parts, 'queued', t);
        parts += m.parts;
      }
      messageRows.flush();
      if (seq > first) addCounts(cid, 'queued', seq - first);
      if (page.length) after = page[page.length - 1].seq;
      return page.length;
    });
    function* slices(): Generator<void, void> {
      for (;;) {
        const n = slice();
        read += n;
        ctl.onProgress?.({ contacts: read, of: list.contacts });
        if (n < FREEZE_SLICE) return;
        yield;
      }
    }
    await fillPreparing(
      db,
      cid,
      slices(),
      () => {
        // Refused after the whole list is read, so the sentence can count every blank.
        if (blank.size && input.blank === undefined) {
          throw new UserError(
            'BLANK_VALUES',
            blankMessage([...blank.values()], {
              fallback: (f) => `give the field a fallback in the text such as ${f.slice(0, -1)}|Customer}`,
              skip: 'leave those recipients out',
              send: 'send to them anyway with the gap',
            }),
          );
        }
        if (seq === 0)
          throw new UserError(
            'NO_RECIPIENTS',
            `List ${JSON.stringify(list.name)} has no one left to message (${suppressed} on the opt-out list${skipped ? `, ${skipped} left out for blank values` : ''}).`,
          );
        db.prepare('UPDATE campaigns SET recipients = ?, parts = ?, suppressed = ? WHERE id = ?').run(
          seq,
          parts,
          suppressed,
          cid,
        );
      },
      'The app closed before the campaign was ready; create it again.',
    );
    return toSummary(row(cid));
  }

  function list(): CampaignSummary[] {
    return db.prepare<[], CampaignRow>(`${SELECT_CAMPAIGN} ORDER BY c.id DESC`).all().map(toSummary);
  }

  function get(id: number): CampaignSummary | null {
    const r = getRow.get(id);
    return r ? toSummary(r) : null;
  }

  // status() runs for every dashboard refresh and engine event: its statements are prepared once.
  // Requests are counted from their answer, as the rate limiter counts them (queue/limiter.ts);
  // a returned request (429, 503, network down) was not processed, so it is not counted. Both
  // counts read a few index entries (migration 8), not every request of the campaign: a
  // personalised text makes one request per recipient.
  const answeredStmt = db.prepare<
    [number, number, number],
    { n: number; r: number | null; first: number | null; waited: number | null }
  >(
    `SELECT COUNT(*) AS n, SUM(recipients) AS r, MIN(answered_at) AS first, AVG(answered_at - sent_at) AS waited FROM batches
     WHERE campaign_id = ? AND answered_at > ? AND answered_at <= ? AND state != 'returned'`,
  );
  const returnedStmt = db.prepare<[number], { error: string | null }>(
    `SELECT error FROM batches WHERE campaign_id = ? AND state = 'returned' ORDER BY id DESC LIMIT 1`,
  );
  const shortStmt = db.prepare<[number], { n: number }>(
    `SELECT COUNT(*) AS n FROM batches WHERE campaign_id = ? AND processed < recipients`,
  );
  const decideStmt = db.prepare<[number], { n: number }>(
    `SELECT COUNT(*) AS n FROM messages m JOIN batches b ON b.id = m.batch_id
     WHERE m.campaign_id = ? AND m.status = 'uncertain' AND b.state = 'uncertain' AND b.polls > 0`,
  );

  // only a draft's: its cancelled messages are the few opted out since it was made
  const cancelledPartsStmt = db
    .prepare<[number], number | null>(`SELECT SUM(parts) FROM messages WHERE campaign_id = ? AND status = 'cancelled'`)
    .pluck();

  function status(id: number): CampaignStatus {
    const r = row(id);
    const counts = emptyCounts();
    for (const c of countsStmt.all(id)) counts[c.status] = c.n;
    const t = now();
    const limit = deps.settings.get('rate.requestsPerSecond');
    const rate: GatewayRate =
      r.state === 'sending' ? gatewayRate(id, t, limit) : { requests: 0, recipients: 0, answered: 0, answerMs: null };
    const waiting = toHandOver(counts);
    const short = shortStmt.get(id)!.n;
    const decide = decideStmt.get(id)!.n;
    const backoff = r.state === 'sending' && r.retry_at != null && r.retry_at > t && waiting > 0;
    return {
      ...toSummary(r),
      counts,
      shortBatches: short,
      needsDecision: decide,
      rate: rate.requests,
      recipientRate: rate.recipients,
      rateLimit: limit,
      heldByAnswers: backoff ? null : heldByAnswers(rate, limit, deps.settings.get('rate.maxInFlight')),
      retry: backoff ? { at: r.retry_at!, reason: returnedStmt.get(id)?.error ?? null } : null,
      toSend:
        r.state === 'draft'
          ? {
              recipients: counts.queued,
              parts: r.parts - (counts.cancelled > 0 ? (cancelledPartsStmt.get(id) ?? 0) : 0),
            }
          : null,
      etaMs: waiting === 0 ? 0 : rate.recipients > 0 ? Math.round((waiting / rate.recipients) * 1000) : null,
      sandbox: (r.mode ?? deps.mode()) === 'sandbox',
    };
  }

  /**
   * Requests per second as the gateway saw them, over the last ten windows of the limiter. The
   * limiter lets at most `max` answers land in any one window, so dividing by whole windows (only
   * those since the first answer, early in a send) can never show more than the limit; dividing
   * by the exact span since the first request, as before, did (7.6 / s against 5 / s).
   */
  function gatewayRate(id: number, t: number, limit: number): GatewayRate {
    const unit = limit >= 1 ? 1000 : 1000 / limit;
    const span = 10 * unit;
    const a = answeredStmt.get(id, t - span, t);
    if (!a || !a.n || a.first == null) return { requests: 0, recipients: 0, answered: 0, answerMs: null };
    const windows = Math.min(10, Math.max(1, Math.ceil((t - a.first + 1) / unit)));
    const seconds = (windows * unit) / 1000;
    const round = (x: number) => Math.floor(x * 10) / 10;
    return {
      requests: round(a.n / seconds),
      recipients: round((a.r ?? 0) / seconds),
      answered: a.n,
      answerMs: a.waited == null ? null : Math.round(a.waited),
    };
  }

  /** Campaigns still going (sending, scheduled or paused), the one sending longest first; at most 20. */
  const activeStmt = db.prepare<[], { id: number }>(
    `SELECT id FROM campaigns WHERE state IN ('sending', 'scheduled', 'paused')
     ORDER BY state = 'sending' DESC, COALESCE(started_at, created_at), id LIMIT 20`,
  );
  function active(): CampaignStatus[] {
    return activeStmt.all().map((a) => status(a.id));
  }

  // A stored network decides; a number saved without one (null) is grouped by its prefix.
  const networksStmt = db.prepare<
    [number],
    { network: string | null; prefix: string | null; status: MessageStatus; n: number }
  >(
    `SELECT m.network, substr(m.msisdn, 1, 7) AS prefix, ${STATUS_SQL} AS status, COUNT(*) AS n
     FROM messages m ${MEMBER_JOIN} WHERE m.campaign_id = ? GROUP BY 1, 2, 3`,
  );
  /**
   * Delivered, failed and pending recipients per network (MTN, Airtel, Glo, 9mobile, other
   * Nigerian, abroad). Counting reads every message of the campaign (100,000 in about 0.1 s, on the
   * thread that also sends), so while the counts move it is redone at most once per 30 times
   * its own cost; in between the last count is returned with upToDate false.
   */
  const networkCache = new Map<number, { sig: string; at: number; took: number; result: NetworkCounts }>();
  function networks(id: number): NetworkCounts {
    row(id);
    const sig = countsStmt
      .all(id)
      .map((c) => `${c.status}:${c.n}`)
      .join(',');
    const start = performance.now();
    const hit = networkCache.get(id);
    if (hit && hit.sig === sig) return { ...hit.result, upToDate: true };
    if (hit && start - hit.at < Math.max(2000, 30 * hit.took)) return { ...hit.result, upToDate: false };
    const result: NetworkCounts = { networks: countNetworks(id), countedAt: now(), upToDate: true };
    networkCache.set(id, { sig, at: start, took: performance.now() - start, result });
    return result;
  }
  function countNetworks(id: number): NetworkBreakdown[] {
    const by = new Map<NetworkGroup, NetworkBreakdown>();
    for (const g of networksStmt.all(id)) {
      const net = networkGroup(g.prefix ?? '', g.network);
      let b = by.get(net);
      if (!b) {
        b = { network: net, recipients: 0, delivered: 0, failed: 0, pending: 0, unknown: 0, cancelled: 0 };
        by.set(net, b);
      }
      b.recipients += g.n;
      b[OUTCOME_OF[g.status]] += g.n;
    }
    return NETWORK_GROUPS.filter((n) => by.has(n)).map((n) => by.get(n)!);
  }

  function setState(
    id: number,
    state: CampaignRow['state'],
    extra: Partial<Pick<CampaignRow, 'pause_reason' | 'started_at' | 'mode'>> & { pause_code?: PauseCode } = {},
  ) {
    lifecycle.enter(id, state, extra);
    deps.changed(id);
  }

  function send(id: number): CampaignStatus {
    const r = row(id);
    if (r.state === 'cancelled')
      throw new UserError('CANCELLED', `Campaign ${id} was cancelled; create a new one to send again.`);
    if (!canStart(r.state)) return status(id);
    const t = now();
    const mode = deps.mode();
    if (r.mode && r.mode !== mode) throw new UserError('MODE_CHANGED', modeMessage(r.mode));
    if (r.schedule_mode === 'local' && r.send_at && r.send_at > t) setState(id, 'scheduled', { mode });
    else setState(id, 'sending', { started_at: t, mode });
    return status(id);
  }

  /** the user's pause (the sender pauses for auth, storage and the like itself, with its own reason and code) */
  function pause(id: number): CampaignStatus {
    const r = row(id);
    if (canPause(r.state)) setState(id, 'paused', { pause_reason: 'Paused by you.', pause_code: 'user' });
    return status(id);
  }

  function resume(id: number): CampaignStatus {
    const r = row(id);
    if (!canStart(r.state)) return status(id);
    const mode = deps.mode();
    if (r.mode && r.mode !== mode) throw new UserError('MODE_CHANGED', modeMessage(r.mode));
    const t = now();
    if (r.schedule_mode === 'local' && r.send_at && r.send_at > t && !r.started_at) setState(id, 'scheduled', { mode });
    else setState(id, 'sending', { started_at: t, mode });
    return status(id);
  }

  /**
   * Queued messages are cancelled; whatever was submitted stays tracked and keeps its reports. The
   * campaign is cancelled at once, its queued messages a few thousand per transaction after it
   * (campaigns/cancel.ts); what a close cuts short, start-up finishes.
   */
  async function cancel(id: number): Promise<CampaignStatus> {
    const r = row(id);
    if (!canCancel(r.state)) return status(id);
    const t = now();
    lifecycle.cancel(id, t);
    deps.changed(id);
    await cancelQueuedYielding(db, id, t);
    deps.changed(id);
    return status(id);
  }

  // Undecided batches, paged in SQL: a campaign hit by a run of 500s holds hundreds of them, and
  // the dashboard shows 20. Recipients come in one statement per page, not one per batch.
  const RECIPIENTS_PER_BATCH = 200;
  const uncertainCount = db.prepare<[number], { n: number; r: number | null }>(
    `SELECT COUNT(DISTINCT b.id) AS n, COUNT(m.id) AS r FROM batches b JOIN messages m ON m.batch_id = b.id AND m.status = 'uncertain'
     WHERE b.campaign_id = ? AND b.state = 'uncertain'`,
  );
  const uncertainCauses = db.prepare<
    [number],
    {
      http_status: number | null;
      error: string | null;
      batches: number;
      recipients: number;
      unchecked: number;
      min_checks: number | null;
      max_checks: number | null;
      failed: number;
    }
  >(
    `WITH u AS (
       SELECT b.id, b.http_status, b.error, b.polls, COUNT(m.id) AS n,
         (SELECT COUNT(*) FROM batch_lookups l WHERE l.batch_id = b.id AND l.answer = 'error') AS failed
       FROM batches b JOIN messages m ON m.batch_id = b.id AND m.status = 'uncertain'
       WHERE b.campaign_id = ? AND b.state = 'uncertain' GROUP BY b.id)
     SELECT http_status, MIN(error) AS error, COUNT(*) AS batches, SUM(n) AS recipients, SUM(polls = 0) AS unchecked,
       MIN(CASE WHEN polls > 0 THEN polls END) AS min_checks, MAX(polls) AS max_checks, SUM(failed) AS failed
     FROM u GROUP BY http_status ORDER BY recipients DESC`,
  );
  const uncertainBatches = db.prepare<
    [number, number, number],
    {
      id: number;
      client_ref: string;
      sent_at: number | null;
      error: string | null;
      http_status: number | null;
      polls: number;
    }
  >(
    `SELECT b.id, b.client_ref, b.sent_at, b.error, b.http_status, b.polls FROM batches b
     WHERE b.campaign_id = ? AND b.state = 'uncertain' AND EXISTS (SELECT 1 FROM messages m WHERE m.batch_id = b.id AND m.status = 'uncertain')
     ORDER BY b.id LIMIT ? OFFSET ?`,
  );
  const pageRecipients = db.prepare<[string, number], { batch_id: number; seq: number; msisdn: string; n: number }>(
    `SELECT batch_id, seq, msisdn, n FROM (
       SELECT m.batch_id, m.seq, m.msisdn, ROW_NUMBER() OVER (PARTITION BY m.batch_id ORDER BY m.seq) AS k, COUNT(*) OVER (PARTITION BY m.batch_id) AS n
       FROM messages m WHERE m.batch_id IN (SELECT value FROM json_each(?)) AND m.status = 'uncertain')
     WHERE k <= ? ORDER BY batch_id, seq`,
  );
  const pageLookups = db.prepare<
    [string],
    { batch_id: number; at: number; answer: UncertainBatch['lookups'][number]['answer']; detail: string | null }
  >(
    `SELECT batch_id, at, answer, detail FROM batch_lookups WHERE batch_id IN (SELECT value FROM json_each(?)) ORDER BY batch_id, at`,
  );

  /**
   * Undecided recipients by cause (what the gateway answered, how many lookups found nothing), and
   * one page of their batches with the evidence of each. Batches not looked up yet are listed too
   * (the window shows them), but resolve() leaves them until their lookup has run.
   */
  function uncertain(id: number, page?: { offset: number; limit: number }): UncertainPage {
    row(id);
    const count = uncertainCount.get(id)!;
    const causes: UncertainCause[] = uncertainCauses.all(id).map((c) => ({
      httpStatus: c.http_status,
      error: c.error,
      batches: c.batches,
      recipients: c.recipients,
      unchecked: c.unchecked,
      minChecks: c.min_checks ?? 0,
      maxChecks: c.max_checks ?? 0,
      failedLookups: c.failed,
    }));
    const rows = uncertainBatches.all(id, page ? page.limit : -1, page ? page.offset : 0);
    const ids = JSON.stringify(rows.map((b) => b.id));
    const recips = new Map<number, { n: number; list: Array<{ seq: number; msisdn: string }> }>();
    for (const r of pageRecipients.all(ids, page ? RECIPIENTS_PER_BATCH : Number.MAX_SAFE_INTEGER)) {
      let e = recips.get(r.batch_id);
      if (!e) recips.set(r.batch_id, (e = { n: r.n, list: [] }));
      e.list.push({ seq: r.seq, msisdn: r.msisdn });
    }
    const lookups = new Map<number, UncertainBatch['lookups']>();
    for (const l of pageLookups.all(ids)) {
      const list = lookups.get(l.batch_id) ?? [];
      list.push({ at: l.at, answer: l.answer, detail: l.detail });
      lookups.set(l.batch_id, list);
    }
    const batches = rows.map((b): UncertainBatch => ({
      batchId: b.id,
      clientRef: b.client_ref,
      sentAt: b.sent_at,
      error: b.error,
      httpStatus: b.http_status,
      checks: b.polls,
      lookups: lookups.get(b.id) ?? [],
      recipientCount: recips.get(b.id)?.n ?? 0,
      recipients: recips.get(b.id)?.list ?? [],
    }));
    return { total: count.n, recipients: count.r ?? 0, causes, batches };
  }

  /**
   * The user's decision on batches whose outcome stayed unknown: exactly the ones counted in
   * needsDecision (looked up, no report). A batch whose lookup has not run yet may well have been
   * accepted; re-sending it would be the double send this whole ledger prevents. It stays
   * uncertain, and comes back to the user only if its lookup finds nothing.
   */
  function resolve(id: number, decision: 'resend' | 'mark-failed'): CampaignStatus {
    const r = row(id);
    const t = now();
    let touched = 0;
    db.transaction(() => {
      const batches = db
        .prepare<[number], { id: number }>(
          `SELECT id FROM batches WHERE campaign_id = ? AND state = 'uncertain' AND polls > 0`,
        )
        .all(id);
      for (const b of batches) {
        if (decision === 'resend') {
          touched += resendBatch(b.id, 'Re-sent by your decision after an unknown outcome.', t);
        } else {
          const n = db
            .prepare(
              `UPDATE messages SET status = 'failed', reason = 'Outcome unknown; marked failed by your decision.', final_at = ?, updated_at = ?
            WHERE batch_id = ? AND status = 'uncertain'`,
            )
            .run(t, t, b.id).changes;
          counts.move(id, 'uncertain', 'failed', n, t);
          touched += n;
          db.prepare(
            `UPDATE batches SET state = 'failed', error = COALESCE(error, 'marked failed by the user'), dlr_done = 1 WHERE id = ?`,
          ).run(b.id);
        }
      }
      if (decision === 'resend' && touched > 0 && reopensOnResend(r.state)) lifecycle.reopenForResend(id);
    })();
    deps.changed(id);
    return status(id);
  }

  const resendMessages = db.prepare<[string, string, number, number], { id: number; seq: number }>(
    `UPDATE messages SET status = 'queued', batch_id = NULL, resend_ref = ?, reason = ?, updated_at = ?
    WHERE batch_id = ? AND status = 'uncertain' RETURNING id, seq`,
  );
  const release = createRelease(db);
  // The old row gives its reference to the re-send (client_ref is unique) and keeps it findable.
  const batchResent = db.prepare(
    `UPDATE batches SET state = 'resent', dlr_done = 1, client_ref = client_ref || '~' || id WHERE id = ?`,
  );
  /** Queues an undecided batch again, whole, under its first reference (see ledger.nextBatches). */
  function resendBatch(batchId: number, reason: string, t: number): number {
    const b = db
      .prepare<[number], { client_ref: string; campaign_id: number }>(
        `SELECT client_ref, campaign_id FROM batches WHERE id = ? AND state = 'uncertain'`,
      )
      .get(batchId);
    if (!b) return 0;
    const back = resendMessages.all(b.client_ref, reason, t, batchId);
    release(b.campaign_id, back);
    const n = back.length;
    counts.move(b.campaign_id, 'uncertain', 'queued', n, t);
    batchResent.run(batchId);
    return n;
  }

  /**
   * "Re-send automatically when the gateway has no record after N checks" (off by default): the
   * poller calls this after each lookup that found nothing. Only with the client reference on:
   * the re-send goes under the first reference, so a gateway that honours it cannot send twice.
   */
  function autoResend(batchId: number): boolean {
    const n = deps.settings.get('uncertain.autoResendAfterChecks');
    if (n <= 0 || !deps.settings.get('gateway.clientReference')) return false;
    const b = db
      .prepare<[number], { campaign_id: number; misses: number }>(
        `SELECT b.campaign_id, (SELECT COUNT(*) FROM batch_lookups l WHERE l.batch_id = b.id AND l.answer = 'not-found') AS misses
       FROM batches b WHERE b.id = ? AND b.state = 'uncertain'`,
      )
      .get(batchId);
    if (!b || b.misses < n) return false;
    const moved = db.transaction(() => {
      const k = resendBatch(
        batchId,
        `Re-sent automatically: the gateway had no record after ${b.misses} checks.`,
        now(),
      );
      if (k > 0) lifecycle.reopenIfDone(b.campaign_id);
      return k;
    })();
    if (moved > 0) deps.changed(b.campaign_id);
    return moved > 0;
  }

  /** "June promo (re-send to failed)", then "June promo (re-send 2 to failed)": never a suffix on a suffix. */
  function resendName(name: string): string {
    const m = / \(re-send(?: (\d+))? to failed\)$/.exec(name);
    if (!m) return `${name} (re-send to failed)`;
    return `${name.slice(0, m.index)} (re-send ${Number(m[1] ?? 1) + 1} to failed)`;
  }

  /**
   * A new campaign of the failed, rejected and expired recipients (opted-out ones left out), made
   * as create() makes one: 'preparing' until its last slice, FREEZE_SLICE of the parent's seqs per
   * transaction with the event loop turning between.
   */
  async function resendFailed(id: number): Promise<CampaignSummary> {
    const r = row(id);
    const t = now();
    const nothing = () =>
      new UserError('NOTHING_FAILED', `Campaign ${id} has no failed, rejected or expired recipients to re-send to.`);
    if (!countsStmt.all(id).some((c) => c.n > 0 && RESEND_STATUSES.includes(c.status))) throw nothing();
    const cid = Number(
      db
        .prepare(
          `INSERT INTO campaigns (name, list_id, parent_id, sender, template, state, created_at)
        VALUES (?, ?, ?, ?, ?, 'preparing', ?)`,
        )
        .run(resendName(r.name), r.list_id, id, r.sender, r.template, t).lastInsertRowid,
    );
    const copy = db.prepare(
      `INSERT INTO messages (campaign_id, seq, contact_id, msisdn, network, fields, text, encoding, parts, status, updated_at)
        SELECT ?, ? + ROW_NUMBER() OVER (ORDER BY m.seq), m.contact_id, m.msisdn, m.network, m.fields, m.text, m.encoding, m.parts, 'queued', ?
        FROM messages m LEFT JOIN optouts o ON o.msisdn = m.msisdn
        WHERE m.campaign_id = ? AND m.seq > ? AND m.seq <= ? AND m.status IN ${sqlList(RESEND_STATUSES)} AND o.msisdn IS NULL ORDER BY m.seq`,
    );
    const last = (db.prepare('SELECT MAX(seq) FROM messages WHERE campaign_id = ?').pluck().get(id) as number) ?? 0;
    let seq = 0;
    const slice = db.transaction((after: number) => {
      const n = copy.run(cid, seq, t, id, after, after + FREEZE_SLICE).changes;
      if (n) addCounts(cid, 'queued', n);
      seq += n;
    });
    function* slices(): Generator<void, void> {
      for (let after = 0; after < last; after += FREEZE_SLICE) {
        slice(after);
        yield;
      }
    }
    await fillPreparing(
      db,
      cid,
      slices(),
      () => {
        if (seq === 0) throw nothing(); // every one of them is on the opt-out list now
        db.prepare(
          `UPDATE campaigns SET recipients = ?, parts = (SELECT COALESCE(SUM(parts),0) FROM messages WHERE campaign_id = ?) WHERE id = ?`,
        ).run(seq, cid, cid);
      },
      'The app closed before the re-send was ready; make it again.',
    );
    return toSummary(row(cid));
  }

  function preview(input: PreviewInput): CampaignPreview {
    const list = findList(input.list);
    const fields = JSON.parse(list.fields) as string[];
    const compiled = compileTemplate(input.text ?? '', fields);
    const price = deps.settings.get('price.perPart');
    const perCountry = deps.settings.get('price.perCountry');
    const currency = deps.settings.get('price.currency');
    const noAccents: CampaignPreview['accents'] = {
      recipients: 0,
      extraParts: 0,
      extraCost: 0,
      chars: [],
      sample: [],
      stripped: false,
    };
    const empty: CampaignPreview = {
      recipients: 0,
      suppressed: 0,
      totalParts: 0,
      maxParts: 0,
      typicalParts: 0,
      overTypical: 0,
      cost: 0,
      currency,
      encoding: 'GSM-7',
      unknownFields: [],
      templateError: null,
      longest: null,
      longestFirst: [],
      longValues: 0,
      blank: [],
      blankRecipients: 0,
      accents: noAccents,
      languages: [],
      destinations: [],
    };
    if (!compiled.ok) return { ...empty, unknownFields: compiled.unknown, templateError: compiled.message };
    const accents = input.accents ?? 'keep';
    const r = makeRenderer(input.text, fields, accents);
    const hist = new Map<number, number>();
    let recipients = 0,
      suppressed = 0,
      total = 0,
      gsm = 0,
      ucs = 0,
      blankRecipients = 0;
    let longest: CampaignPreview['longest'] = null;
    const top = topLongest(LONGEST_FIRST);
    const blank = new Map<string, CampaignPreview['blank'][number]>();
    const acc = { recipients: 0, extraParts: 0, sample: [] as CampaignPreview['accents']['sample'] };
    const accChars = new Map<string, number>();
    // "parts:partsWithoutAccents" of recipients whose accents cost them parts
    const byValuesParts = new Map<string, number>();
    const countries = new Map<string, { recipients: number; parts: number }>();
    const it = db.prepare<[number], { seq: number; row: number; msisdn: string; fields: string; opted: number }>(
      `SELECT c.seq, c.row, c.msisdn, c.fields, (o.msisdn IS NOT NULL) AS opted FROM contacts c LEFT JOIN optouts o ON o.msisdn = c.msisdn WHERE c.list_id = ? ORDER BY c.seq`,
    );
    for (const c of it.iterate(list.id)) {
      if (c.opted) {
        suppressed++;
        continue;
      }
      const values = JSON.parse(c.fields) as Record<string, string>;
      const m = r.render(values);
      if (m.blank.length) {
        blankRecipients++;
        for (const f of m.blank) {
          let b = blank.get(f.header);
          if (!b) {
            b = { field: f.name, count: 0, rows: [], sample: [] };
            blank.set(f.header, b);
          }
          b.count++;
          if (b.rows.length < 50) b.rows.push(c.row);
          if (b.sample.length < 5) b.sample.push({ row: c.row, msisdn: c.msisdn });
        }
        if (input.blank === 'skip') continue;
      }
      recipients++;
      if (m.byValues) {
        acc.recipients++;
        // what keeping the accents costs these recipients (or, stripped, what it was spared)
        acc.extraParts += m.keptParts - m.plainParts;
        if (m.parts > m.plainParts) {
          const key = `${m.parts}:${m.plainParts}`;
          byValuesParts.set(key, (byValuesParts.get(key) ?? 0) + 1);
        }
        const culprit = r.culpritField(values);
        if (culprit) {
          for (const ch of culprit.chars) accChars.set(ch, (accChars.get(ch) ?? 0) + 1);
          if (acc.sample.length < 5)
            acc.sample.push({
              row: c.row,
              msisdn: c.msisdn,
              field: culprit.field,
              value: culprit.value,
              plain: withoutAccents(culprit.value),
              parts: m.keptParts,
              plainParts: m.plainParts,
            });
        }
      }
      total += m.parts;
      if (m.encoding === 'GSM-7') gsm++;
      else ucs++;
      hist.set(m.parts, (hist.get(m.parts) ?? 0) + 1);
      const country = countryOfMsisdn(c.msisdn);
      const k = countries.get(country);
      if (k) {
        k.recipients++;
        k.parts += m.parts;
      } else countries.set(country, { recipients: 1, parts: m.parts });
      if (!longest || m.parts > longest.parts || (m.parts === longest.parts && m.text.length > longest.text.length))
        longest = { seq: c.seq, msisdn: c.msisdn, text: m.text, parts: m.parts };
      top.offer(c.seq, m.parts, m.text.length);
    }
    let typical = 0,
      best = -1,
      max = 0;
    for (const [p, n] of hist) {
      if (n > best || (n === best && p < typical)) {
        best = n;
        typical = p;
      }
      max = Math.max(max, p);
    }
    let over = 0,
      overByAccents = 0;
    for (const [p, n] of hist) if (p > typical) over += n;
    // over the typical count only because of accents: without them the message would be typical
    for (const [key, n] of byValuesParts) {
      const [p, plain] = key.split(':').map(Number);
      if (p > typical && plain <= typical) overByAccents += n;
    }
    let cost = 0;
    const destinations: CampaignPreview['destinations'] = [];
    for (const [country, k] of countries) {
      const pp = partPrice(country, price, perCountry);
      const c = estimateCost(k.parts, pp.price);
      cost += c;
      if (country !== 'NG')
        destinations.push({
          country: country || 'unknown',
          recipients: k.recipients,
          parts: k.parts,
          pricePerPart: pp.price,
          guessed: pp.guessed,
          cost: c,
        });
    }
    destinations.sort((a, b) => b.recipients - a.recipients || a.country.localeCompare(b.country));
    return {
      recipients,
      suppressed,
      totalParts: total,
      maxParts: max,
      typicalParts: typical,
      overTypical: over,
      cost: Math.round(cost * 100) / 100,
      currency,
      encoding: ucs && gsm ? 'mixed' : ucs ? 'UCS-2' : 'GSM-7',
      unknownFields: [],
      templateError: null,
      longest,
      longestFirst: top.seqs(),
      longValues: over - overByAccents,
      blank: [...blank.values()],
      blankRecipients,
      accents: {
        recipients: acc.recipients,
        extraParts: acc.extraParts,
        // the extra is priced at the home rate: accents are a Nigerian-name matter, and a guess at most abroad
        extraCost: estimateCost(acc.extraParts, price),
        chars: [...accChars]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 20)
          .map(([shown, count]) => ({ shown, count })),
        sample: acc.sample,
        stripped: accents === 'strip' && acc.recipients > 0,
      },
      languages: r.languages,
      destinations,
    };
  }

  function messages(
    id: number,
    page: { offset: number; limit: number; status?: MessageStatus; order?: 'seq' | 'parts-desc' },
  ) {
    row(id);
    // statuses as readers see them (queue/status.ts): a message a batch holds may not be written yet
    const filter = page.status ? statusIs(page.status) : null;
    const where = filter ? `m.campaign_id = ? AND ${filter.sql}` : 'm.campaign_id = ?';
    const args: unknown[] = filter ? [id, ...filter.args] : [id];
    const total = (
      db.prepare(`SELECT COUNT(*) AS n FROM messages m ${MEMBER_JOIN} WHERE ${where}`).get(...args) as { n: number }
    ).n;
    const order = page.order === 'parts-desc' ? 'm.parts DESC, length(m.text) DESC, m.seq' : 'm.seq';
    const rows = db
      .prepare(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MEMBER_JOIN} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
      )
      .all(...args, Math.min(1000, Math.max(1, page.limit)), Math.max(0, page.offset)) as Array<
      Record<string, unknown>
    >;
    return { total, rows: rows.map(toMessageRow) };
  }

  /**
   * Cumulative transitions into each status over time, from the 10-second buckets the triggers
   * keep (migration 2): cheap for any campaign size. Buckets merge so the chart has ≤ 120 points,
   * each at the end of its bucket, after a first one with every count at 0.
   */
  function chart(id: number) {
    row(id);
    const rows = db
      .prepare<[number], { at: number; status: string; n: number }>(
        `SELECT at, status, n FROM status_buckets WHERE campaign_id = ? AND status NOT IN ${sqlList([...TO_HAND_OVER_STATUSES, 'cancelled'])} ORDER BY at`,
      )
      .all(id);
    if (!rows.length) return [];
    const lo = rows[0].at,
      hi = rows[rows.length - 1].at;
    // the first point is the first bucket's start, where every count is 0: the lines rise from it
    const step = Math.max(10_000, Math.ceil((hi - lo + 10_000) / (CHART_POINTS - 1) / 10_000) * 10_000);
    const running: Record<string, number> = {};
    const out: Array<{ at: number; counts: Record<string, number> }> = [{ at: lo, counts: {} }];
    for (const r of rows) {
      const at = lo + Math.floor((r.at - lo) / step) * step + step;
      running[r.status] = (running[r.status] ?? 0) + r.n;
      const last = out[out.length - 1];
      if (last && last.at === at) last.counts = { ...running };
      else out.push({ at, counts: { ...running } });
    }
    return out;
  }

  return {
    create,
    list,
    get,
    status,
    active,
    networks,
    send,
    pause,
    resume,
    cancel,
    uncertain,
    resolve,
    autoResend,
    resendFailed,
    preview,
    messages,
    chart,
    row,
    findList,
    compile,
  };
}
export type CampaignService = ReturnType<typeof createCampaignService>;

/** How many recipients the preview lists longest first (the rest page in list order). */
export const LONGEST_FIRST = 100;

/**
 * The k longest messages seen so far (parts, then characters, then list order), kept sorted in a
 * small array: a million offers cost little more than the comparisons.
 */
export function topLongest(k: number) {
  const items: Array<{ seq: number; parts: number; len: number }> = [];
  const before = (a: { seq: number; parts: number; len: number }, b: typeof a) =>
    a.parts !== b.parts ? a.parts > b.parts : a.len !== b.len ? a.len > b.len : a.seq < b.seq;
  return {
    offer(seq: number, parts: number, len: number) {
      const it = { seq, parts, len };
      if (items.length === k && !before(it, items[k - 1])) return;
      let lo = 0,
        hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(items[mid], it)) lo = mid + 1;
        else hi = mid;
      }
      items.splice(lo, 0, it);
      if (items.length > k) items.pop();
    },
    seqs: () => items.map((x) => x.seq),
  };
}

/** What the rate window read: requests and recipients per second, how many answers, their mean wait. */
interface GatewayRate {
  requests: number;
  recipients: number;
  answered: number;
  /** mean time from a request's claim to its answer, ms */
  answerMs: number | null;
}

/** Answers in the window before the dashboard says the answer time holds the rate (fewer is a start, not a pace). */
const HELD_MIN_ANSWERS = 5;
/** Below this share of the limit, and with room for no more, the rate is said to be held by the answers. */
const HELD_BELOW = 0.9;

/**
 * With `inFlight` requests out at once and each answered after `answerMs`, at most
 * inFlight × 1000 / answerMs requests go out a second, whatever the limit says. A gateway far
 * away (or slow to answer) with the default single request in flight sends at a fraction of the
 * limit the user set: the dashboard says so, and what would change it. Null when the rate is not
 * held that way (it reaches the limit, or there are too few answers to tell).
 */
function heldByAnswers(rate: GatewayRate, limit: number, inFlight: number): HeldByAnswers | null {
  if (rate.answered < HELD_MIN_ANSWERS || rate.answerMs == null || rate.answerMs <= 0) return null;
  const ceiling = Math.floor(((inFlight * 1000) / rate.answerMs) * 10) / 10;
  if (ceiling >= limit * HELD_BELOW || rate.requests >= limit * HELD_BELOW) return null;
  const enough = Math.min(MAX_IN_FLIGHT, Math.ceil((limit * rate.answerMs) / 1000) + 1);
  return { answerMs: rate.answerMs, inFlight, ceiling, enough };
}

function modeMessage(mode: string): string {
  return mode === 'sandbox'
    ? 'This campaign was started on the sandbox gateway and a real token is now set; it will not switch to real sending by itself. Create a new campaign to send for real.'
    : 'This campaign was started on the live gateway but no token is set now; set the token again to continue it.';
}

export function toMessageRow(m: Record<string, unknown>): MessageRow {
  return {
    seq: m.seq as number,
    msisdn: m.msisdn as string,
    network: (m.network as string) ?? null,
    fields: JSON.parse((m.fields as string) || '{}'),
    text: m.text as string,
    encoding: m.encoding as string,
    parts: m.parts as number,
    status: m.status as MessageStatus,
    rawStatus: (m.raw_status as string) ?? null,
    rawCode: (m.raw_code as number) ?? null,
    reason: (m.reason as string) ?? null,
    submittedAt: (m.submitted_at as number) ?? null,
    acceptedAt: (m.accepted_at as number) ?? null,
    finalAt: (m.final_at as number) ?? null,
  };
}
