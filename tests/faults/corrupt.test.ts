/**
 * The ledger damaged on disk, for real: pages overwritten under the running app (sending pauses
 * with a sentence saying to restore), and between two runs pages in the middle overwritten, the
 * file cut short, its first page overwritten, another file in its place, cut to nothing. Each time
 * the next start refuses with one sentence naming the newest backup, `smsdesk restore --latest` puts
 * that backup back (the damaged file kept aside), and the campaign finishes from the backup's
 * ledger: nobody lost, nobody the backup knew as sent is sent again. Recipients sent to after the
 * backup are sent again — exactly those, which the restore says in words.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/engine.ts';
import { createHandlers } from '../../electron/handlers/index.ts';
import { backupName, backupWhen, DAY_MS, listBackups } from '../../electron/engine/db/backup.ts';
import { restoreWithLock } from '../../electron/engine/db/restore.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { startSandbox, type Sandbox } from '../../electron/engine/sandbox/index.ts';
import { makeList, numbers, tempDir, waitFor, TEST_TOKEN } from '../helpers/engine.ts';
import { cli, filesContaining, printSummary, recordStats, seeded } from './support.ts';
import { MESSAGES_SEEN } from '../../electron/engine/queue/status.ts';

const N = 300;
const stats = { recipients: 0, faults: 0, crashes: 0, lost: 0, duplicated: 0, tokenLeaks: 0, notes: [] as string[] };
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ tokens: [TEST_TOKEN], timing: { dispatchMs: 30, finalMs: 80 } });
});
afterAll(async () => {
  await sandbox?.close();
  recordStats('corrupt', stats);
  printSummary();
});

const TAKEN = `(status IN ('accepted', 'sent', 'delivered', 'rejected', 'expired', 'unknown') OR accepted_at IS NOT NULL)`;

function acceptedTimes(): Map<string, number> {
  const m = new Map<string, number>();
  for (const b of sandbox.record().accepted) for (const n of b.to) m.set(n, (m.get(n) ?? 0) + 1);
  return m;
}

const rnd = seeded(10_2026);
const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));

function overwritePages(file: string, from: number, every: number) {
  const pages = fs.statSync(file).size / 4096;
  const fd = fs.openSync(file, 'r+');
  for (let p = from; p < pages; p += every) fs.writeSync(fd, noise(4096), 0, 4096, p * 4096);
  fs.closeSync(fd);
}

/** what was damaged; how; whether it happens under the running app (else between two runs) */
const DAMAGE: Array<[string, (file: string) => void, boolean?]> = [
  ['pages overwritten under the running app', (file) => overwritePages(file, 2, 1), true],
  [
    'pages in the middle overwritten',
    (file) => {
      const pages = fs.statSync(file).size / 4096;
      const fd = fs.openSync(file, 'r+');
      // the tables' and indexes' pages past the schema: what a bad sector or a stray write hits
      for (let p = 2; p < pages; p += 3) fs.writeSync(fd, noise(4096), 0, 4096, p * 4096);
      fs.closeSync(fd);
    },
  ],
  ['cut short', (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3))],
  [
    'first page overwritten with garbage',
    (file) => {
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, noise(4096), 0, 4096, 0);
      fs.closeSync(fd);
    },
  ],
  [
    'another file in its place',
    (file) => fs.writeFileSync(file, 'phone,name\n2348031000001,Ada\n2348031000002,Bola\n'),
  ],
  ['cut to nothing', (file) => fs.truncateSync(file, 0)],
];

describe('a damaged data file', () => {
  it.each(DAMAGE)(
    '%s: the sentence names the backup, restore brings it back, the campaign finishes',
    async (what, damage, running) => {
      const dataDir = tempDir('smsdesk-corrupt-');
      const file = path.join(dataDir, 'smsdesk.db');
      const open = () =>
        createEngine({ dataDir, secrets: createMemorySecrets(TEST_TOKEN), gatewayUrl: sandbox.url, env: {} });
      const mine = numbers(N, 10_000 * (DAMAGE.findIndex((d) => d[0] === what) + 1));
      const before = acceptedTimes();
      const count = (n: string) => (acceptedTimes().get(n) ?? 0) - (before.get(n) ?? 0);
      const sentSoFar = () => mine.filter((n) => count(n) > 0).length;

      // A third goes out, then the app is closed mid-campaign.
      const a = await open();
      // slow enough to be still sending when the damage comes: the day's copy waits for the check after start
      for (const [k, v] of Object.entries({
        'rate.requestsPerSecond': 10,
        'rate.recipientsPerRequest': 10,
        'dlr.initialIntervalMs': 100,
        'dlr.maxIntervalMs': 400,
        'retry.initialMs': 50,
      }))
        a.settings.set(k as never, v);
      makeList(
        a,
        'corrupt',
        mine.map((phone) => ({ phone })),
      );
      const c = await a.campaigns.create({ list: 'corrupt', from: 'ACME', text: 'damaged ledger' });
      a.campaigns.send(c.id);
      a.start();
      // the first backup, made once the check after start has read every page (db/check.ts)
      await waitFor(() => listBackups(dataDir).length, 'the first backup');
      await waitFor(() => sentSoFar() >= N / 3, 'a third sent');
      await a.close();
      // The first start made the first backup; a day passes.
      const first = listBackups(dataDir);
      expect(first).toHaveLength(1);
      fs.renameSync(
        first[0]!.file,
        path.join(path.dirname(first[0]!.file), backupName(first[0]!.at - 2 * DAY_MS, first[0]!.version, 'daily')),
      );

      // The next start makes the day's backup while it goes on sending; more goes out after it.
      const b = await open();
      const blocked: Array<{ code: string | null; message: string | null }> = [];
      b.on((e) => {
        if (e.type === 'sending-blocked') blocked.push(e.detail as (typeof blocked)[number]);
      });
      b.start();
      const backup = await waitFor(
        () => listBackups(dataDir).find((x) => x.at > first[0]!.at - DAY_MS),
        'the daily backup at start',
      );
      const inBackup = new Database(backup.file, { readonly: true });
      const knownSent = new Set(
        inBackup
          .prepare<[number], string>(
            `SELECT msisdn FROM ${MESSAGES_SEEN} AS m WHERE campaign_id = ? AND (${TAKEN} OR status IN ('submitting', 'uncertain'))`,
          )
          .pluck()
          .all(c.id),
      );
      expect(inBackup.prepare(`SELECT state FROM campaigns WHERE id = ?`).pluck().get(c.id)).toBe('sending');
      inBackup.close();
      expect(knownSent.size).toBeLessThan(N - 50);
      await waitFor(() => sentSoFar() >= knownSent.size + 50, '50 more sent after the backup');
      if (running) {
        damage(file);
        // SQLite keeps the pages it read in its cache until the file changes under it: another
        // connection touching the header (as a sync tool or a second program would) makes it read again.
        const other = new Database(file);
        other.pragma(`user_version = ${other.pragma('user_version', { simple: true }) as number}`);
        other.close();
        const ev = await waitFor(
          () => blocked.find((x) => x.code === 'storage'),
          'sending paused on the damage',
          30_000,
        );
        expect(ev.message).toMatch(/is damaged\. Sending is paused; quit SMS Desk and restore the newest backup/);
        // marked: the next start reads every page before anything else, not only after it sent again
        expect(fs.existsSync(`${file}.damaged`)).toBe(true);
        // the window's pages read damaged pages too: they get the same advice, not SQLite's words
        const files = { savePath: async () => null, deliver: async () => ({ path: null, downloadUrl: null }) };
        const page = await createHandlers(b, { mode: 'electron', version: 'test', platform: process.platform, files })[
          'campaigns.messages'
        ]({ id: c.id, offset: 0, limit: 100 });
        expect(page).toMatchObject({
          ok: false,
          error: {
            code: 'DB_CORRUPT',
            message: expect.stringMatching(/is damaged\. Quit SMS Desk and open it again to restore the newest backup/),
          },
        });
      }
      await b.close();
      const sentAfterBackup = mine.filter((n) => count(n) > 0 && !knownSent.has(n));
      expect(sentAfterBackup.length).toBeGreaterThan(0);

      if (!running) damage(file);
      const damaged = fs.readFileSync(file);

      // The app's start and the command both give the one sentence, naming the backup.
      const err = await open().then(
        async (e) => {
          await e.close();
          return null;
        },
        (e: Error & { code?: string; backup?: { file: string } }) => e,
      );
      expect(err?.code).toBe('DB_CORRUPT');
      expect(err?.message).toContain(`from ${backupWhen(backup.at)} (${backup.name})`);
      expect(err?.message).toMatch(/damaged.*smsdesk restore --latest.*kept aside, not deleted\.$/);
      expect(err?.backup?.file).toBe(backup.file);
      const status = await cli(dataDir, ['status', String(c.id)], {}, { json: false }).done;
      expect(status.code).toBe(1);
      expect(status.err).toContain(`Restore the newest backup, from ${backupWhen(backup.at)}`);
      expect(status.err).not.toMatch(/database disk image is malformed\s*$|^smsdesk: file is not a database/m);
      expect(fs.readFileSync(file).equals(damaged)).toBe(true);

      // Restore: the damaged file is kept beside it, byte for byte; the command says what the backup's age means.
      const restore = await cli(dataDir, ['restore', '--latest'], {}, { json: false }).done;
      expect(restore.err).toBe('');
      expect(restore.code).toBe(0);
      expect(restore.out).toContain(`Restored the backup from ${backupWhen(backup.at)}`);
      expect(restore.out).toMatch(
        /messages sent after that time are queued again, so 1 campaign\(s\) that were sending are paused/,
      );
      const aside = fs.readdirSync(dataDir).filter((n) => /^smsdesk\.db\.broken-[\d-]+$/.test(n));
      expect(aside).toHaveLength(1);
      expect(fs.readFileSync(path.join(dataDir, aside[0]!)).equals(damaged)).toBe(true);

      // The restored ledger holds the campaign paused, with the reason; resumed, it finishes.
      const d = await open();
      try {
        const s0 = d.campaigns.status(c.id);
        expect(s0.state).toBe('paused');
        expect(s0.pauseReason).toMatch(/Restored from the backup of .*would get the message twice/);
        d.campaigns.resume(c.id);
        d.start();
        const end = await waitFor(
          async () => {
            const s = d.campaigns.status(c.id);
            // a request cut off at the backup's moment and never answered: only the user may send it again
            if (s.needsDecision > 0) d.campaigns.resolve(c.id, 'resend');
            return s.state === 'completed' && s.counts.uncertain === 0 ? s : null;
          },
          'the campaign finished after the restore',
          30_000,
        );
        expect(end.counts.queued + end.counts.submitting).toBe(0);
      } finally {
        await d.close();
      }
      const lost = mine.filter((n) => count(n) === 0);
      const twiceKnown = mine.filter((n) => count(n) > 1 && knownSent.has(n));
      const twice = mine.filter((n) => count(n) > 1);
      expect(lost).toEqual([]);
      expect(twiceKnown).toEqual([]);
      // the cost of going back in time, and no more than that
      expect(twice.sort()).toEqual(sentAfterBackup.sort());
      stats.recipients += N;
      stats.faults += 1;
      stats.lost += lost.length;
      stats.duplicated += twiceKnown.length;
      stats.tokenLeaks += filesContaining(dataDir, TEST_TOKEN).length;
      stats.notes.push(`${what}: ${sentAfterBackup.length} sent after the backup, sent again after the restore`);
    },
    90_000,
  );
});

describe('damage the start does not read, found by the check after start (db/check.ts)', () => {
  it('createEngine resolves first; the check then pauses sending with the restore sentence and no batch leaves after it; the next start offers the backup', async () => {
    const dataDir = tempDir('smsdesk-check-');
    const file = path.join(dataDir, 'smsdesk.db');
    const order: string[] = [];
    const log = (line: string) => {
      if (/^page check: every page/.test(line)) order.push('check: no damage');
      if (/^page check: \d+ problem/.test(line)) order.push('check: damage');
    };
    const open = () =>
      createEngine({ dataDir, secrets: createMemorySecrets(TEST_TOKEN), gatewayUrl: sandbox.url, env: {}, log });
    const mine = numbers(1000, 900_000);

    // A list and a campaign not sent yet; the first start checks the pages, then makes the first backup.
    const a = await open();
    for (const [k, v] of Object.entries({
      'rate.requestsPerSecond': 5,
      'rate.recipientsPerRequest': 10,
      'dlr.initialIntervalMs': 100,
      'dlr.maxIntervalMs': 200,
    }))
      a.settings.set(k as never, v);
    makeList(
      a,
      'checked',
      mine.map((phone, i) => ({ phone, name: `Contact ${i}` })),
    );
    const c = await a.campaigns.create({ list: 'checked', from: 'ACME', text: 'checked after start' });
    a.start();
    const backup = await waitFor(() => listBackups(dataDir)[0], 'the first backup');
    expect(order).toEqual(['check: no damage']);
    await a.close();
    // two days old: the next start would make the day's copy, were the ledger not found damaged first
    const aged = path.join(path.dirname(backup.file), backupName(backup.at - 2 * DAY_MS, backup.version, 'daily'));
    fs.renameSync(backup.file, aged);
    const agedAt = backup.at - 2 * DAY_MS;

    // One leaf page of the contacts in the middle of the file overwritten: nothing at start reads it.
    const probe = new Database(file, { readonly: true });
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    const leaves = probe
      .prepare<[], number>(`SELECT pageno FROM dbstat WHERE name = 'contacts' AND pagetype = 'leaf' ORDER BY pageno`)
      .pluck()
      .all();
    const pages = probe.pragma('page_count', { simple: true }) as number;
    probe.close();
    const page = leaves[Math.floor(leaves.length / 2)]!;
    expect(page).toBeGreaterThan(pages / 4);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, noise(pageSize), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);

    order.length = 0;
    const b = await open();
    order.push('createEngine resolved');
    let refsAtDamage: string[] | null = null;
    let damageMessage: string | null = null;
    const notices: unknown[] = [];
    b.on((e) => {
      if (e.type === 'log') notices.push(e.detail);
      if (e.type !== 'sending-blocked' || (e.detail as { code: string | null }).code !== 'storage') return;
      // what had been claimed when sending stopped: each batch is written before its request leaves
      refsAtDamage = b.db.prepare<[], string>(`SELECT client_ref FROM batches`).pluck().all();
      damageMessage = (e.detail as { message: string }).message;
      order.push('sending stopped');
    });
    try {
      b.campaigns.send(c.id);
      b.start();
      order.push('start returned');
      await waitFor(() => refsAtDamage, 'the check after start found the damage');
      expect(order).toEqual(['createEngine resolved', 'start returned', 'check: damage', 'sending stopped']);

      // The same sentence a damaged file gets at open, naming the backup; the campaign paused with it.
      expect(damageMessage).toContain(`is damaged: parts of it are unreadable`);
      expect(damageMessage).toContain(`Restore the newest backup, from ${backupWhen(agedAt)}`);
      expect(damageMessage).toMatch(/smsdesk restore --latest.*kept aside, not deleted\.$/);
      // the window's notice, whatever page is open
      await waitFor(() => notices.length, 'the engine notice');
      expect(notices).toEqual([damageMessage]);
      const paused = b.campaigns.status(c.id);
      expect(paused.state).toBe('paused');
      expect(paused.pauseReason).toBe(damageMessage);
      expect(() => b.campaigns.resume(c.id)).toThrow(expect.objectContaining({ code: 'DB_CORRUPT' }));
      // `smsdesk status` beside the running app (a reader) says it too
      const st = await cli(dataDir, ['status', String(c.id)], {}, { json: false }).done;
      expect(st.out).toContain(`: paused (${damageMessage})`);

      // Every request that left is answered and reported (several poll rounds, at 5 requests/s the
      // loop would have sent more meanwhile): the gateway got none the ledger had not claimed by then.
      const settled = await waitFor(() => {
        const s = b.campaigns.status(c.id);
        return s.counts.submitting + s.counts.uncertain + s.counts.accepted === 0 ? s : null;
      }, 'the reports of what was sent');
      const claimed = new Set(refsAtDamage!);
      const mineSet = new Set(mine);
      const reached = sandbox
        .record()
        .accepted.filter((x) => x.to.some((n) => mineSet.has(n)))
        .map((x) => x.clientRef);
      expect(reached.filter((r) => !claimed.has(r!))).toEqual([]);
      expect(settled.counts.queued).toBeGreaterThan(0);
      expect(b.campaigns.status(c.id).state).toBe('paused');
      // no daily copy of a damaged ledger: it would pass for a good backup
      expect(listBackups(dataDir).map((x) => x.file)).toEqual([aged]);
    } finally {
      await b.close();
    }

    // The next start checks every page first and refuses with the sentence, as a damaged file at open.
    const err = await open().then(
      async (e) => {
        await e.close();
        return null;
      },
      (e: Error & { code?: string; backup?: { file: string } }) => e,
    );
    expect(err?.code).toBe('DB_CORRUPT');
    expect(err?.message).toContain(`Restore the newest backup, from ${backupWhen(agedAt)}`);
    expect(err?.backup?.file).toBe(aged);

    // Restored, the ledger opens again (it passes the full check once, and loses the mark).
    await restoreWithLock(dataDir);
    const d = await open();
    try {
      expect(d.campaigns.status(c.id).state).toBe('draft');
    } finally {
      await d.close();
    }
    expect(fs.existsSync(`${file}.damaged`)).toBe(false);
  }, 60_000);
});
