import type { DB } from '../db/open.ts';
import type { SettingsStore } from '../db/settings.ts';
import type { Clock } from '../clock.ts';
import { sleep } from '../clock.ts';
import type { GatewayClient, BatchReport } from '../gateway/client.ts';
import { mapStatus } from '../gateway/status.ts';
import { FINAL_SQL } from '../campaigns/rows.ts';
import { isFinalStatus, type GatewayMode, type MessageStatus } from '../../../shared/vocabulary.ts';
import { isStorageError } from '../storage.ts';
import { createCounts } from '../queue/counts.ts';
import { createLedger } from '../queue/ledger.ts';

interface PollBatch {
  id: number;
  campaign_id: number;
  client_ref: string;
  gateway_ref: string | null;
  state: 'accepted' | 'uncertain';
  recipients: number;
  answered_at: number | null;
  created_at: number;
  http_status: number | null;
  poll_interval: number | null;
  polls: number;
  mode: GatewayMode | null;
  /** the range of its member rows (migration 9; null for a batch claimed before it) */
  first_message_id: number | null;
  last_message_id: number | null;
}

export interface PollerDeps {
  db: DB;
  settings: SettingsStore;
  clock: Clock;
  clientFor(mode: GatewayMode): GatewayClient;
  mode(): GatewayMode;
  changed(campaignId: number): void;
  log(line: string): void;
  /** after a lookup that found no record of an uncertain batch: re-send it if the user allowed that */
  noRecord?(batchId: number): void;
}

/**
 * Delivery reports, polled per batch with back-off (15 s doubling to 30 min by default) until
 * every recipient is final or the give-up time has passed (dlr.giveUpAfterMs, 72 h by default). Uncertain batches are looked up by our own
 * client reference: a report proves the gateway accepted them.
 */
export function createPoller(deps: PollerDeps) {
  const { db, settings, clock } = deps;
  let stopped = true;
  let loop: Promise<void> | null = null;
  let stopAc = new AbortController();

  const BATCH_COLS = `b.id, b.campaign_id, b.client_ref, b.gateway_ref, b.state, b.recipients, b.answered_at, b.created_at, b.http_status, b.poll_interval, b.polls, c.mode, b.first_message_id, b.last_message_id`;
  // A next poll further away than the longest interval was scheduled before the wall clock went
  // back (by hours, say): it is due now, not hours from now.
  const due = db.prepare<
    [number, number],
    PollBatch
  >(`SELECT ${BATCH_COLS} FROM batches b JOIN campaigns c ON c.id = b.campaign_id
    WHERE b.dlr_done = 0 AND b.state IN ('accepted', 'uncertain') AND (b.next_poll_at <= ? OR b.next_poll_at > ?) ORDER BY b.next_poll_at LIMIT 20`);
  const ofCampaign = db.prepare<
    [number],
    PollBatch
  >(`SELECT ${BATCH_COLS} FROM batches b JOIN campaigns c ON c.id = b.campaign_id
    WHERE b.campaign_id = ? AND b.dlr_done = 0 AND b.state IN ('accepted', 'uncertain') ORDER BY b.id`);
  const nextDue = db.prepare<[], { t: number | null }>(
    `SELECT MIN(next_poll_at) AS t FROM batches WHERE dlr_done = 0 AND state IN ('accepted', 'uncertain')`,
  );
  const counts = createCounts(db);
  // An accepted batch's message rows are not written while it is sent (migration 9). Its first
  // report writes the rows it names with their reported status, its batch and times, in one
  // statement per status group (setMembersOf), and the ledger then writes the rest accepted
  // (writeAccepted) in the same transaction: one write per row. A report that is not a full list,
  // a failed lookup and the give-up write them accepted first, so the statements below that find
  // rows by batch_id see every row.
  const ledger = createLedger(db);
  const memberNumbers = db.prepare<[number, number, number], { id: number; msisdn: string }>(
    `SELECT m.id, m.msisdn FROM batch_members bm CROSS JOIN messages m ON m.id = bm.message_id
    WHERE bm.message_id BETWEEN ? AND ? AND bm.batch_id = ?`,
  );
  const setMembersOf = db.prepare(
    `UPDATE OR FAIL messages SET status = ?, raw_status = ?, raw_code = ?, final_at = ?, reason = ?, updated_at = ?,
      batch_id = ?, submitted_at = ?, accepted_at = ?
    WHERE id IN (SELECT value FROM json_each(?)) AND status = 'queued'
      AND EXISTS (SELECT 1 FROM batch_members bm WHERE bm.message_id = messages.id AND bm.batch_id = ?)`,
  );
  const anyMember = db
    .prepare<[number, number, number], number>(
      `SELECT 1 FROM batch_members WHERE message_id BETWEEN ? AND ? AND batch_id = ? LIMIT 1`,
    )
    .pluck();
  // looked up once per poll of a batch (the PollBatch is read afresh for each)
  const hasMembers = new WeakMap<PollBatch, boolean>();
  const unwritten = (b: PollBatch) => {
    if (b.state !== 'accepted' || b.first_message_id == null) return false;
    let has = hasMembers.get(b);
    if (has === undefined)
      hasMembers.set(b, (has = anyMember.get(b.first_message_id, b.last_message_id!, b.id) != null));
    return has;
  };
  const openByStatus = db.prepare<[number], { status: MessageStatus; n: number }>(
    `SELECT status, COUNT(*) AS n FROM messages WHERE batch_id = ? AND status NOT IN ${FINAL_SQL} GROUP BY status`,
  );
  const updAllStmt =
    db.prepare(`UPDATE messages SET status = ?, raw_status = ?, raw_code = ?, final_at = ?, reason = ?, updated_at = ?
    WHERE batch_id = ? AND status NOT IN ${FINAL_SQL}`);
  /** Every open message of the batch to one status (a summary report, or no report within the give-up time). */
  const updAll = db.transaction(
    (
      b: PollBatch,
      status: MessageStatus,
      raw: string | null,
      code: number | null,
      finalAt: number | null,
      reason: string | null,
      now: number,
    ) => {
      const before = openByStatus.all(b.id);
      updAllStmt.run(status, raw, code, finalAt, reason, now, b.id);
      for (const r of before) counts.move(b.campaign_id, r.status, status, r.n, now);
    },
  );

  // A report group is written by one statement over the ids of its rows (a JSON array), not by
  // one statement per recipient, and without reading each row first: the ids come from the batch
  // index alone (covering), and the old status from the statement's own WHERE. The poller guesses
  // the status open rows have (`likelyOpen`: accepted, or sent after "Dispatched" reports), so its
  // changes are the counter moves; rows the guess missed are counted by status and moved from
  // each, so the counters stay exact whatever the rows held. A final status is never overwritten.
  const batchNumbers = db.prepare<[number], { id: number; msisdn: string }>(
    `SELECT id, msisdn FROM messages WHERE batch_id = ?`,
  );
  const numberIds = db
    .prepare<[number, string], number>(`SELECT id FROM messages WHERE batch_id = ? AND msisdn = ?`)
    .pluck();
  const IDS = `id IN (SELECT value FROM json_each(?))`;
  // OR FAIL: SQLite keeps no statement journal for it (for a plain UPDATE of many rows it copied
  // every page the statement touched into a temporary file first, more bytes than the ledger's own
  // writes). These statements run only inside a transaction that any error rolls back whole, so
  // an error stopping one part-way leaves nothing behind either way.
  const setStatusOf = db.prepare<
    [MessageStatus, string, number | null, number | null, string | null, number, string, MessageStatus]
  >(
    `UPDATE OR FAIL messages SET status = ?, raw_status = ?, raw_code = ?, final_at = ?, reason = ?, updated_at = ? WHERE ${IDS} AND status = ?`,
  );
  const setRawOf = db.prepare<[string, number | null, number, string]>(
    `UPDATE OR FAIL messages SET raw_status = ?, raw_code = ?, updated_at = ? WHERE ${IDS} AND status NOT IN ${FINAL_SQL}`,
  );
  const openOf = db.prepare<[string], { status: MessageStatus; n: number }>(
    `SELECT status, COUNT(*) AS n FROM messages WHERE ${IDS} AND status NOT IN ${FINAL_SQL} GROUP BY status`,
  );
  let likelyOpen: MessageStatus = 'accepted';

  const createMoves = counts.moves;
  type Moves = ReturnType<typeof createMoves>;

  /**
   * One status group of a report on its rows (distinct ids) that are still open. Returns how many
   * of them it made final.
   */
  function applyGroup(
    b: PollBatch,
    ids: number[],
    mapped: MessageStatus | null,
    raw: string,
    code: number | null,
    now: number,
    moves: Moves,
  ): number {
    if (!ids.length) return 0;
    const list = JSON.stringify(ids);
    if (!mapped) {
      setRawOf.run(raw, code, now, list);
      return 0;
    }
    const finalAt = isFinalStatus(mapped) ? now : null;
    const reason = reasonFor(mapped, raw);
    let madeFinal = 0;
    // rows not written yet (migration 9): accepted, as the batch row says
    let left = ids.length;
    if (unwritten(b)) {
      const n = setMembersOf.run(
        mapped,
        raw,
        code,
        finalAt,
        reason,
        now,
        b.id,
        b.created_at,
        b.answered_at ?? now,
        list,
        b.id,
      ).changes;
      if (n && mapped !== 'accepted') {
        moves.add(b.campaign_id, 'accepted', mapped, n, now);
        if (finalAt) madeFinal += n;
      }
      left -= n;
      if (!left) return madeFinal;
    }
    const set = (from: MessageStatus) => {
      const n = setStatusOf.run(mapped, raw, code, finalAt, reason, now, list, from).changes;
      if (n && from !== mapped) {
        moves.add(b.campaign_id, from, mapped, n, now);
        if (finalAt) madeFinal += n;
      }
      return n;
    };
    if (likelyOpen !== mapped && set(likelyOpen) === left) return madeFinal;
    // Some rows held another status: those already at the new one first (rows moved to it above
    // are written again with the same values), then each other open status.
    const open = openOf.all(list);
    if (open.some((r) => r.status === mapped)) set(mapped);
    let most = 0;
    for (const r of open) {
      if (r.status === mapped) continue;
      set(r.status);
      if (r.n > most) [most, likelyOpen] = [r.n, r.status];
    }
    return madeFinal;
  }
  const applyOne = db.transaction(
    (b: PollBatch, msisdn: string, mapped: MessageStatus, raw: string, code: number | null, now: number) => {
      const moves = createMoves();
      applyGroup(b, numberIds.all(b.id, msisdn), mapped, raw, code, now, moves);
      moves.flush();
    },
  );
  const openMsisdns = db.prepare<[number], { msisdn: string }>(
    `SELECT msisdn FROM messages WHERE batch_id = ? AND status NOT IN ${FINAL_SQL} LIMIT 200`,
  );
  const openCount = db.prepare<[number], { n: number }>(
    `SELECT COUNT(*) AS n FROM messages WHERE batch_id = ? AND status NOT IN ${FINAL_SQL}`,
  );
  const resolveUncertain = db.prepare(
    `UPDATE messages SET status = 'accepted', accepted_at = ?, reason = NULL, updated_at = ? WHERE batch_id = ? AND status = 'uncertain'`,
  );

  // Failed lookups per uncertain batch. A report endpoint that never answers usefully (a wrong
  // dlrBatchPath, a gateway without reports) must not leave a batch undecidable: after a few
  // failed lookups it is handed to the user like one the gateway said it does not know.
  const failedLookups = new Map<number, number>();
  const LOOKUPS_BEFORE_ASKING = 3;

  function reasonFor(status: string, raw: string): string | null {
    if (status === 'delivered' || status === 'sent') return null;
    return `Gateway report: ${raw}`;
  }

  const reschedule = db.prepare(
    `UPDATE batches SET dlr_done = ?, polls = polls + ?, next_poll_at = ?, poll_interval = ? WHERE id = ?`,
  );
  const recordLookup = db.prepare(`INSERT INTO batch_lookups (batch_id, at, answer, detail) VALUES (?, ?, ?, ?)`);
  const settleBatch = db.prepare(
    `UPDATE batches SET state = 'accepted', gateway_ref = COALESCE(gateway_ref, ?), error = NULL WHERE id = ?`,
  );

  function schedule(b: PollBatch, now: number, done: boolean, lookedUp: boolean) {
    const initial = b.poll_interval ?? settings.get('dlr.initialIntervalMs');
    const next = Math.min(settings.get('dlr.maxIntervalMs'), initial * 2);
    reschedule.run(done ? 1 : 0, lookedUp ? 1 : 0, now + initial, next, b.id);
  }

  /**
   * Writes one report's statuses (and settles an uncertain batch the report proves accepted), its
   * counter moves into `moves`. Returns 0 when it made every row of the batch final (null: count
   * the open ones).
   */
  function applyReport(
    b: PollBatch,
    report: Extract<BatchReport, { kind: 'ok' }>,
    now: number,
    moves: Moves,
  ): number | null {
    if (b.state === 'uncertain') {
      settleBatch.run(report.batchId || b.client_ref, b.id);
      counts.move(b.campaign_id, 'uncertain', 'accepted', resolveUncertain.run(now, now, b.id).changes, now);
    }
    const listed = report.statuses.every((s) => Array.isArray(s.recipients));
    if (!listed && unwritten(b)) ledger.writeAccepted(b.id, now);
    // The batch's numbers to row ids (a number can be on a batch twice); `seen` keeps a number
    // listed twice in one group to one match.
    let numbers: Map<string, { ids: number[]; seen: number }> | null = null;
    let rows = 0,
      madeFinal = 0,
      group = 0;
    for (const s of report.statuses) {
      const mapped = mapStatus(s.status, s.code);
      if (Array.isArray(s.recipients)) {
        if (!numbers) {
          numbers = new Map();
          const all = batchNumbers.all(b.id);
          if (unwritten(b)) all.push(...memberNumbers.all(b.first_message_id!, b.last_message_id!, b.id));
          for (const r of all) {
            rows++;
            const e = numbers.get(r.msisdn);
            if (e) e.ids.push(r.id);
            else numbers.set(r.msisdn, { ids: [r.id], seen: -1 });
          }
        }
        const ids: number[] = [];
        group++;
        for (const msisdn of s.recipients) {
          const e = numbers.get(msisdn);
          if (!e || e.seen === group) continue;
          e.seen = group;
          for (const id of e.ids) ids.push(id);
        }
        madeFinal += applyGroup(b, ids, mapped, s.status, s.code, now, moves);
      } else if (
        !listed &&
        report.statuses.length === 1 &&
        mapped &&
        (s.count === b.recipients || report.total === b.recipients)
      ) {
        // A summary without recipient lists still settles a batch whose recipients all share one status.
        updAll(b, mapped, s.status, s.code, isFinalStatus(mapped) ? now : null, reasonFor(mapped, s.status), now);
      }
    }
    if (unwritten(b)) ledger.writeAccepted(b.id, now);
    // A row made final is never changed again: when this report made every row final, none is open.
    return listed && numbers && madeFinal === rows ? 0 : null;
  }
  /** A report on its own: one transaction with its counter moves. */
  const applyAlone = db.transaction((b: PollBatch, report: Extract<BatchReport, { kind: 'ok' }>, now: number) => {
    const moves = createMoves();
    const open = applyReport(b, report, now, moves);
    moves.flush();
    return open;
  });

  /** how many polls the back-off schedule makes in `ms` */
  function pollsToCover(ms: number): number {
    let interval = settings.get('dlr.initialIntervalMs'),
      sum = 0,
      n = 0;
    const max = settings.get('dlr.maxIntervalMs');
    while (sum < ms && n < 100_000) {
      sum += interval;
      n++;
      interval = Math.min(max, interval * 2);
    }
    return n;
  }

  interface Fetched {
    b: PollBatch;
    client: GatewayClient;
    ref: string;
    report: BatchReport;
    now: number;
    /** the batch's rows still open after the report, when applying it told (null: count them) */
    open: number | null;
  }
  async function fetchReport(b: PollBatch): Promise<Fetched> {
    const client = deps.clientFor(b.mode ?? deps.mode());
    const ref = b.state === 'uncertain' ? b.client_ref : (b.gateway_ref ?? b.client_ref);
    let report = await client.fetchBatchReport(ref);
    if (report.kind === 'not-found' && b.state === 'uncertain' && b.gateway_ref && b.gateway_ref !== b.client_ref)
      report = await client.fetchBatchReport(b.gateway_ref);
    return { b, client, ref, report, now: clock.now(), open: null };
  }

  /**
   * Writes a fetched report (its counter moves into `moves` when a group's transaction is open, in
   * a transaction of its own otherwise); true when it was a summary and recipients still open must
   * be asked one by one.
   */
  function applyFetched(f: Fetched, moves?: Moves): boolean {
    const { b, report, now } = f;
    f.open = null;
    if (report.kind !== 'ok' && unwritten(b)) ledger.writeAccepted(b.id, now);
    if (report.kind === 'error') deps.log(`delivery report for batch ${b.id}: ${report.reason}`);
    if (report.kind !== 'ok') return false;
    const open = moves ? applyReport(b, report, now, moves) : applyAlone(b, report, now);
    if (report.statuses.every((s) => Array.isArray(s.recipients))) {
      f.open = open;
      return false;
    }
    return openCount.get(b.id)!.n > 0;
  }

  /** Summary-only answer: ask per recipient for those still open (bounded). */
  async function askRecipients({ b, client, ref, now }: Fetched): Promise<void> {
    for (const { msisdn } of openMsisdns.all(b.id)) {
      const r = await client.fetchRecipientReport(ref, msisdn);
      if (r.kind !== 'ok') continue;
      const mapped = mapStatus(r.status, r.code);
      if (mapped) applyOne(b, msisdn, mapped, r.status, r.code, now);
    }
  }

  /** After the report: the give-up (dlr.giveUpAfterMs), the lookup's evidence, the next poll. */
  function finish(f: Fetched, changed: (campaignId: number) => void = deps.changed): void {
    const { b, report, now } = f;
    const open = f.open ?? openCount.get(b.id)!.n;
    const acceptedAt = b.answered_at ?? b.created_at;
    // Wall time alone would give up at once after a clock jumped forward; the polls actually made
    // (on the back-off schedule) must also cover most of the give-up time.
    const tooOld =
      now - acceptedAt > settings.get('dlr.giveUpAfterMs') &&
      b.polls + 1 >= pollsToCover(settings.get('dlr.giveUpAfterMs')) / 2;
    if (open > 0 && tooOld && b.state === 'accepted') {
      updAll(
        b,
        'unknown',
        null,
        null,
        now,
        `No final delivery report within ${spanText(settings.get('dlr.giveUpAfterMs'))}.`,
        now,
      );
    }
    const stillUncertain = b.state === 'uncertain' && report.kind !== 'ok';
    // "Not found" about a request the gateway never answered, younger than its answer timeout,
    // proves nothing: the gateway may not have recorded it yet (it may still be on its way). It
    // must never send the user to re-send. A request the gateway answered (a 500) it has finished with.
    const tooYoung =
      report.kind === 'not-found' &&
      b.state === 'uncertain' &&
      b.http_status == null &&
      now - b.created_at < settings.get('gateway.answerTimeoutMs');
    let lookedUp = report.kind !== 'error' && !tooYoung;
    if (report.kind === 'error' && b.state === 'uncertain' && !report.auth && b.polls === 0) {
      const n = (failedLookups.get(b.id) ?? 0) + 1;
      failedLookups.set(b.id, n);
      lookedUp = n >= LOOKUPS_BEFORE_ASKING;
    }
    if (lookedUp) failedLookups.delete(b.id);
    // What the user weighs before re-sending: each lookup of a batch whose outcome is unknown.
    if (b.state === 'uncertain') {
      const answer =
        report.kind === 'ok' ? 'found' : report.kind === 'error' ? 'error' : tooYoung ? 'not-found-early' : 'not-found';
      recordLookup.run(b.id, now, answer, report.kind === 'error' ? report.reason : null);
    }
    schedule(b, now, (open === 0 && !stillUncertain) || tooOld, lookedUp);
    if (b.state === 'uncertain' && report.kind === 'not-found' && !tooYoung) deps.noRecord?.(b.id);
    changed(b.campaign_id);
  }

  // Reports are fetched a group of batches at a time, then written in one transaction: a commit
  // writes the WAL pages of every row, index and counter it touched, and one commit per batch of
  // 100 cost as much as the updates themselves (benchmark figure 6). A group closes after
  // GROUP_MAX batches or GROUP_MS of fetching, so a slow gateway's reports are never held back long.
  const GROUP_MAX = 100,
    GROUP_MS = 200;
  async function pollList(batches: PollBatch[]) {
    const failed = (b: PollBatch, e: unknown) => {
      if (!isStorageError(e)) deps.log(`delivery report for batch ${b.id} failed: ${(e as Error).message}`);
    };
    let i = 0;
    while (i < batches.length) {
      const fetched: Fetched[] = [];
      const until = clock.mono() + GROUP_MS;
      const end = Math.min(batches.length, i + GROUP_MAX);
      while (i < end && !(stopAc.signal.aborted && !stopped)) {
        const b = batches[i++];
        try {
          fetched.push(await fetchReport(b));
        } catch (e) {
          failed(b, e);
        }
        if (clock.mono() >= until) break;
      }
      let later: Fetched[] = [];
      const touched = new Set<number>();
      try {
        db.transaction(() => {
          later = [];
          const moves = createMoves();
          for (const f of fetched)
            if (applyFetched(f, moves)) later.push(f);
            else finish(f, (id) => touched.add(id));
          moves.flush();
        })();
      } catch {
        // One batch that cannot be written must not hold up the others: each on its own, as before.
        later = [];
        for (const f of fetched) {
          try {
            if (applyFetched(f)) later.push(f);
            else finish(f, (id) => touched.add(id));
          } catch (e) {
            failed(f.b, e);
          }
        }
      }
      for (const id of touched) deps.changed(id);
      for (const f of later) {
        try {
          await askRecipients(f);
          finish(f);
        } catch (e) {
          failed(f.b, e);
        }
      }
      if (stopAc.signal.aborted && !stopped) break;
    }
  }

  async function run() {
    while (!stopped) {
      const now = clock.now();
      let batches: PollBatch[] = [];
      const longest = Math.max(settings.get('dlr.maxIntervalMs'), settings.get('dlr.initialIntervalMs'));
      try {
        batches = due.all(now, now + longest);
      } catch (e) {
        if (!isStorageError(e)) deps.log(String(e));
      }
      if (batches.length) {
        await pollList(batches);
        continue;
      }
      const t = nextDue.get()?.t;
      await sleep(Math.min(1000, Math.max(10, (t ?? now + 1000) - now)), stopAc.signal);
    }
  }

  /** Polls every open batch of one campaign now (the user asked). */
  async function pollCampaign(campaignId: number): Promise<number> {
    const batches = ofCampaign.all(campaignId);
    await pollList(batches);
    return ofCampaign.all(campaignId).length;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      stopAc = new AbortController();
      loop = run();
    },
    async stop() {
      stopped = true;
      stopAc.abort();
      await loop;
      loop = null;
    },
    pollCampaign,
  };
}
export type Poller = ReturnType<typeof createPoller>;

/** The give-up time as the reason says it: "72 hours", "90 minutes", "1 second" (the largest unit that says it exactly). */
export function spanText(ms: number): string {
  const units: Array<[number, string]> = [
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units)
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  const seconds = Math.max(1, Math.round(ms / 1000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
